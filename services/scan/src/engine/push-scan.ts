/**
 * A push scan: only the files a push changed, every rule, semantic findings from the
 * worker's warm program of the repository.
 */
import { contentSkipReason, selectSourceFiles } from '@selfreview/shared/repo-files';
import type { Candidate } from '@selfreview/shared/schemas';
import type { Repository } from '@selfreview/shared/workspace';
import { analyzeFile, sortCandidates } from '../analyze.ts';
import type { ScanOutcome, ScanSettings } from './settings.ts';
import type { WarmCache } from './warm.ts';

export async function pushScan(
  cache: WarmCache,
  repo: Repository,
  sha: string,
  files: readonly string[],
  settings: ScanSettings,
): Promise<ScanOutcome & { cold: boolean }> {
  const started = performance.now();
  const warnings: string[] = [];
  const { project, cold } = await cache.get(repo, sha, settings.testPatterns);
  // The warm project already holds the commit's regular files: no tree listing needed.
  // A named file it does not hold was deleted by the push, or is a link or submodule.
  const tree = files.flatMap((file) => {
    const text = project.text(file);
    return text === undefined ? [] : [{ path: file, size: Buffer.byteLength(text), mode: '100644' }];
  });
  const selection = selectSourceFiles(tree, { ignore: settings.ignore });
  for (const s of selection.skipped) warnings.push(`${s.file}: skipped (${s.reason})`);
  if (!project.hasProjects())
    warnings.push('no tsconfig.json: semantic rules (unused names, undefined names) are skipped');
  const tests = project.testIndex();
  const candidates: Candidate[] = [];
  let scanned = 0;
  for (const file of selection.files) {
    const text = project.text(file);
    if (text === undefined) continue;
    const skip = contentSkipReason(file, text);
    if (skip !== undefined) {
      warnings.push(`${file}: skipped (${skip})`);
      continue;
    }
    const semantic = project.diagnosticsFor(file);
    const result = analyzeFile(file, text, {
      rules: settings.rules,
      settings: settings.ruleSettings,
      semantic: semantic.inProgram ? semantic.diagnostics : null,
      isTestFile: project.isTestFile(file),
      tests,
    });
    if (result.warning !== undefined) {
      warnings.push(result.warning);
      continue;
    }
    scanned++;
    candidates.push(...result.candidates);
  }
  return {
    files: scanned,
    candidates: sortCandidates(candidates),
    warnings,
    errors: [],
    engine: project.hasProjects() ? 'warm' : 'none',
    durationMs: performance.now() - started,
    cold,
  };
}
