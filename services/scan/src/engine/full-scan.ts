/**
 * A full scan: every TypeScript source of the repository at a commit, every rule. The
 * native compiler checks the projects (in its own process, on every core) while this
 * process parses the files for the syntactic rules; the two meet per file.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { ts } from '@selfreview/shared/compiler';
import { contentSkipReason, selectSourceFiles } from '@selfreview/shared/repo-files';
import type { Candidate } from '@selfreview/shared/schemas';
import type { Diagnostic } from '@selfreview/shared/tsc-output';
import type { Repository } from '@selfreview/shared/workspace';
import { analyzeFile, firstSyntaxError, parseSourceFile, sortCandidates } from '../analyze.ts';
import { SEMANTIC_RULES } from '../rules/index.ts';
import { UNDEFINED_CODES, UNUSED_CODES } from '../rules/semantic.ts';
import type { SemanticDiagnostic, TestIndex } from '../rules/types.ts';
import { collectReferencedNames, isTestFile } from '../test-files.ts';
import { checkProjectsNative, type ProjectCheck } from './native-tsc.ts';
import { discoverProjects } from './projects.ts';
import type { ScanOutcome, ScanSettings } from './settings.ts';
import { neutralize, snapshotFiles, writeSnapshot } from './snapshot.ts';
import { filesToReplace, projectsToRecheck, reportStopped, withRechecked } from './stopped.ts';

export interface FullScanOptions {
  /** Where snapshots are written; scan removes its own when done. */
  workDir: string;
  /** The native compiler, or null to check with the JavaScript compiler in this process. */
  tscPath: string | null;
  /** Per compiler run. */
  timeoutMs: number;
  /** Per retry of the files of a project whose compiler run failed; default twice `timeoutMs`. */
  retryTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called with a short description of each phase, for progress displays. */
  progress?: (phase: string) => void;
}

export async function fullScan(
  repo: Repository,
  sha: string,
  settings: ScanSettings,
  opts: FullScanOptions,
): Promise<ScanOutcome> {
  const started = performance.now();
  const warnings: string[] = [];
  const tree = await repo.listFilesWithSize(sha);
  const selection = selectSourceFiles(tree, { ignore: settings.ignore });
  for (const s of selection.skipped) warnings.push(`${s.file}: skipped (${s.reason})`);
  if (selection.files.length === 0) {
    warnings.push('no TypeScript files in the repository: nothing to scan');
    return {
      files: 0,
      candidates: [],
      warnings,
      errors: [],
      engine: 'none',
      durationMs: performance.now() - started,
    };
  }

  const snapshot = path.join(opts.workDir, `snapshot-${randomUUID()}`);
  try {
    opts.progress?.('reading the repository');
    const texts = await writeSnapshot(repo, sha, snapshotFiles(tree), snapshot);
    const projects = discoverProjects([...texts.keys()], (p) => texts.get(p));
    if (projects.length === 0)
      warnings.push('no tsconfig.json: semantic rules (unused names, undefined names) are skipped');

    // Content not worth scanning is known before the compiler starts (a cheap look at each
    // text), so the skipped files that would stop its checking are replaced in time.
    const contentSkips = new Map<string, string>();
    for (const file of selection.files) {
      const text = texts.get(file);
      const skip = text === undefined ? undefined : contentSkipReason(file, text);
      if (skip === undefined) continue;
      contentSkips.set(file, skip);
      warnings.push(`${file}: skipped (${skip})`);
    }
    const neutralized = await neutralizeUnparsable(
      [...selection.skipped.map((s) => s.file), ...contentSkips.keys()],
      texts,
      snapshot,
    );

    const check = (only: readonly string[]): Promise<ProjectCheck> =>
      opts.tscPath
        ? checkProjectsNative(snapshot, only, {
            tscPath: opts.tscPath,
            timeoutMs: opts.timeoutMs,
            retryTimeoutMs: opts.retryTimeoutMs ?? 2 * opts.timeoutMs,
            ...(opts.signal ? { signal: opts.signal } : {}),
          })
        : // Loaded only here: the JavaScript compiler is a second large module to compile.
          import('./in-process.ts').then((m) => m.checkProjectsInProcess(snapshot, only));
    opts.progress?.(
      `checking ${projects.length} project(s) with the ${opts.tscPath ? 'native' : 'JavaScript'} compiler`,
    );
    // Files that fail to parse are found while the compiler runs (parsing every file first
    // would delay it by the whole parse), and replaced for a second check of the projects
    // they stopped.
    const checking = projects.length > 0 ? check(projects) : Promise.resolve(emptyCheck());

    const syntactic = settings.rules.filter((r) => !SEMANTIC_RULES.has(r));
    const semanticRules = settings.rules.filter((r) => SEMANTIC_RULES.has(r));
    const isTest = (file: string): boolean => isTestFile(file, settings.testPatterns);
    const testFiles = selection.files.filter(isTest);
    const candidates: Candidate[] = [];
    const scanned: string[] = [];
    const broken: string[] = [];
    // Test files first: the untested-export rule needs to know every name they mention.
    // ASTs are dropped after each file; only findings and names are kept, so memory
    // stays flat while the compiler (the big consumer) runs beside this process.
    const names = new Set<string>();
    opts.progress?.(`parsing ${selection.files.length} files`);
    await eachParsed(testFiles, texts, contentSkips, warnings, broken, (file, text, sourceFile) => {
      scanned.push(file);
      for (const n of collectReferencedNames(sourceFile)) names.add(n);
      candidates.push(
        ...analyzeFile(file, text, {
          rules: syntactic,
          settings: settings.ruleSettings,
          sourceFile,
          isTestFile: true,
        }).candidates,
      );
    });
    const tests: TestIndex = { testFiles: testFiles.length, referencedNames: names };
    const others = selection.files.filter((f) => !isTest(f));
    await eachParsed(others, texts, contentSkips, warnings, broken, (file, text, sourceFile) => {
      scanned.push(file);
      candidates.push(
        ...analyzeFile(file, text, {
          rules: syntactic,
          settings: settings.ruleSettings,
          sourceFile,
          isTestFile: false,
          tests,
        }).candidates,
      );
    });

    opts.progress?.('syntactic rules done; waiting for the compiler');
    let semantic = await checking;
    opts.progress?.('compiler done; semantic rules');
    const scannedSet = new Set(scanned);
    const replaced = filesToReplace(
      semantic.stopped,
      broken,
      // Only files this scan wrote and does not read findings from: a file it scanned
      // replaced by an empty module would silently have no semantic findings.
      (f) => texts.has(f) && !scannedSet.has(f) && !neutralized.has(f),
    );
    const again = projectsToRecheck(semantic.stopped, replaced);
    if (again.length > 0) {
      for (const file of replaced) await neutralize(snapshot, file);
      opts.progress?.(
        `checking ${again.length} project(s) again without ${replaced.length} unparsable file(s)`,
      );
      semantic = withRechecked(semantic, await check(again), again);
    }
    warnings.push(...semantic.warnings);
    const errors: string[] = [];
    const lostFiles = new Set<string>();
    for (const lost of semantic.lost) {
      const files = lost.files.filter((f) => scannedSet.has(f));
      if (files.length === 0) continue;
      for (const f of files) lostFiles.add(f);
      errors.push(
        `semantic rules did not run for ${files.length} file(s) of project ${lost.project}: ${lost.reason}`,
      );
    }
    const stops = reportStopped(semantic.stopped, (f) => scannedSet.has(f), semantic.programFiles);
    errors.push(...stops.errors);
    warnings.push(...stops.warnings);
    for (const f of stops.unchecked) lostFiles.add(f);

    // Semantic rules only where the compiler reported something they read, or where no
    // program gives them diagnostics (the unused-import rule then falls back to names).
    const byFile = groupByFile(semantic.diagnostics);
    let outside = 0;
    for (const file of scanned) {
      const inProgram = semantic.programFiles.has(file);
      if (!inProgram && !lostFiles.has(file)) outside++;
      const diagnostics = byFile.get(file) ?? [];
      if (inProgram && !diagnostics.some((d) => UNUSED_CODES.has(d.code) || UNDEFINED_CODES.has(d.code)))
        continue;
      const text = texts.get(file) as string;
      const result = analyzeFile(file, text, {
        rules: semanticRules,
        semantic: inProgram ? diagnostics : null,
        isTestFile: isTest(file),
      });
      candidates.push(...result.candidates);
    }
    if (outside > 0 && projects.length > 0) {
      warnings.push(`${outside} file(s) are in no tsconfig's program: only syntactic rules ran on them`);
    }
    return {
      files: scanned.length,
      candidates: sortCandidates(candidates),
      warnings,
      errors,
      engine: projects.length === 0 ? 'none' : opts.tscPath ? 'native' : 'javascript',
      durationMs: performance.now() - started,
    };
  } finally {
    await rm(snapshot, { recursive: true, force: true });
  }
}

/**
 * Replaces in the snapshot those of `files` (skipped by the scan) that do not parse, so
 * the compiler never stops at them; returns them. Skipped files that parse stay: other
 * files may use their declarations (a generated client's types, a large data table), and
 * they cannot stop the compiler's checking.
 */
async function neutralizeUnparsable(
  files: readonly string[],
  texts: ReadonlyMap<string, string>,
  snapshot: string,
): Promise<Set<string>> {
  const replaced = new Set<string>();
  for (const file of files) {
    // Not in the snapshot: a link, or past its size limit.
    const text = texts.get(file);
    if (text === undefined || firstSyntaxError(parseSourceFile(file, text)) === undefined) continue;
    await neutralize(snapshot, file);
    replaced.add(file);
  }
  return replaced;
}

/**
 * Parses each file and hands it on, skipping content not worth scanning (`skips`, already
 * reported) and files with syntax errors (listed in `broken`, with a warning). Yields to
 * the event loop between slices so job locks keep renewing.
 */
async function eachParsed(
  files: readonly string[],
  texts: ReadonlyMap<string, string>,
  skips: ReadonlyMap<string, string>,
  warnings: string[],
  broken: string[],
  visit: (file: string, text: string, sourceFile: ts.SourceFile) => void,
): Promise<void> {
  let sliceStart = performance.now();
  for (const file of files) {
    const text = texts.get(file);
    if (text === undefined || skips.has(file)) continue;
    const sourceFile = parseSourceFile(file, text);
    const syntaxError = firstSyntaxError(sourceFile);
    if (syntaxError !== undefined) {
      warnings.push(`${file}:${syntaxError}, file skipped`);
      broken.push(file);
      continue;
    }
    visit(file, text, sourceFile);
    if (performance.now() - sliceStart > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}

function groupByFile(diagnostics: readonly Diagnostic[]): Map<string, SemanticDiagnostic[]> {
  const byFile = new Map<string, SemanticDiagnostic[]>();
  for (const d of diagnostics) {
    if (d.file === null) continue;
    const list = byFile.get(d.file) ?? [];
    list.push({ code: d.code, line: d.line, column: d.column, message: d.message });
    byFile.set(d.file, list);
  }
  return byFile;
}

function emptyCheck(): ProjectCheck {
  return { diagnostics: [], programFiles: new Set(), warnings: [], lost: [], stopped: [] };
}
