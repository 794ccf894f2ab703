/**
 * One evaluation of selfreview on a real repository: copy it, inject known problems in a
 * commit of their own, run the whole pipeline on the copy, and score the fix branches it made.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testFileGlobs } from '@selfreview/checks';
import {
  defaultRepoConfig,
  parseRepoConfig,
  REPO_CONFIG_FILES,
  type RepoConfig,
} from '@selfreview/shared/config';
import {
  contentSkipReason,
  importsTestRunner,
  isTestFile,
  selectSourceFiles,
} from '@selfreview/shared/repo-files';
import type { Diagnostic } from '@selfreview/shared/tsc-output';
import {
  detectTestRunner,
  noTestRunner,
  programFiles,
  relatedTestsOutcome,
  type TestRunner,
  typecheck,
} from './checks.ts';
import { isIntendedUnused, newDiagnostics } from './diagnostics.ts';
import { commitAll, git } from './git.ts';
import { applyInjections, type Injection, type ManifestEntry, planInjections } from './planner.ts';
import { copyRepository, linkDependencies } from './repo-copy.ts';
import {
  type BranchInspection,
  type PipelineReport,
  parseHunks,
  type Score,
  scoreEvaluation,
} from './scoring.ts';

const SELFREVIEW = fileURLToPath(new URL('../../selfreview', import.meta.url));

export type EvaluationOptions = {
  source: string;
  seed: number;
  files: number;
  timeoutMinutes: number;
  tsconfig: string;
  /** Environment of the pipeline (REDIS_URL, SELFREVIEW_PREFIX, SELFREVIEW_DATA_DIR, ...). */
  env: NodeJS.ProcessEnv;
  /** Progress lines, and the pipeline's own output. */
  progress: (text: string) => void;
  checkTimeoutMs?: number;
};

export type Evaluation = {
  repository: string;
  copy: string;
  baseBranch: string;
  baseSha: string;
  seed: number;
  filesRequested: number;
  manifest: ManifestEntry[];
  /** Planned injections left out because the repository's typecheck objected, with the first objection. */
  dropped: { file: string; kind: string; name: string; why: string }[];
  typecheck: { tsconfig: string; baseDiagnostics: number; runner: string | null };
  pipeline: { exitCode: number | null; reportFile: string; reportFound: boolean };
  score: Score;
  warnings: string[];
};

export async function evaluateRepository(opts: EvaluationOptions): Promise<Evaluation> {
  const say = (line: string) => opts.progress(`[eval] ${line}\n`);
  const checkTimeoutMs = opts.checkTimeoutMs ?? 10 * 60_000;
  const work = await mkdtemp(path.join(os.tmpdir(), 'selfreview-real-eval-'));
  const copy = await copyRepository(opts.source, work);
  const warnings = [...copy.warnings];
  say(`copied ${opts.source} to ${copy.root} (branch ${copy.branch})`);

  const config = await readRepoConfig(copy.root);
  const { sources, eligible, packageRoots } = await readSources(copy.root, config);
  say(`${sources.length} TypeScript sources, ${eligible.length} eligible for injection`);

  const clean = await typecheck(copy.root, opts.tsconfig, checkTimeoutMs);
  if (clean.error) warnings.push(`typecheck of the clean copy: ${clean.error}`);
  say(
    `typecheck of the clean copy: ${clean.diagnostics.length} diagnostics (${(clean.durationMs / 1000).toFixed(1)} s)`,
  );

  const compiled = await programFiles(copy.root, opts.tsconfig, checkTimeoutMs);
  const checkable = compiled ? eligible.filter((f) => compiled.has(f)) : eligible;
  if (compiled)
    say(`${checkable.length} of them in ${opts.tsconfig}'s program (the others are never typechecked)`);
  else warnings.push(`could not list ${opts.tsconfig}'s files: injecting anywhere eligible`);
  const plan = planInjections({
    sources,
    eligible: checkable,
    packageRoots,
    seed: opts.seed,
    files: opts.files,
  });
  const texts = new Map(sources.map((s) => [s.path, s.text]));
  const { kept, dropped, manifest, diagnostics } = await injectVerified(
    copy.root,
    plan.injections,
    texts,
    clean.diagnostics,
    opts,
    say,
  );
  if (kept.length === 0 && opts.files > 0)
    warnings.push('no injection survived the typecheck: recall cannot be measured');
  const baseSha =
    opts.files === 0
      ? (await git(copy.root, 'rev-parse', 'HEAD')).trim()
      : await commitAll(copy.root, `selfreview eval: ${kept.length} known problems (seed ${opts.seed})`);
  say(
    `injected ${manifest.length} problems in ${new Set(manifest.map((m) => m.file)).size} files; base ${baseSha.slice(0, 7)}`,
  );
  const baseStatus = await git(copy.root, 'status', '--porcelain', '--untracked-files=all');

  const reportFile = path.join(work, 'report.json');
  const exitCode = await runPipeline(copy.root, reportFile, opts);
  const reportFound = existsSync(reportFile);
  const report = reportFound ? (JSON.parse(await readFile(reportFile, 'utf8')) as PipelineReport) : null;
  if (exitCode !== 0)
    warnings.push(`selfreview run exited ${exitCode}${reportFound ? '' : ' without a report'}`);

  const baseProblems = await baseChanges(copy.root, copy.branch, baseSha, baseStatus);
  const runner = detectTestRunner(copy.root);
  const branches = await inspectBranches(
    copy.root,
    baseSha,
    diagnostics,
    opts.source,
    opts.tsconfig,
    runner,
    checkTimeoutMs,
    work,
    say,
  );
  const score = scoreEvaluation({ manifest, branches, report, baseProblems });
  return {
    repository: opts.source,
    copy: copy.root,
    baseBranch: copy.branch,
    baseSha,
    seed: opts.seed,
    filesRequested: opts.files,
    manifest,
    dropped,
    typecheck: {
      tsconfig: opts.tsconfig,
      baseDiagnostics: clean.diagnostics.length,
      runner: runner?.name ?? null,
    },
    pipeline: { exitCode, reportFile, reportFound },
    score,
    warnings,
  };
}

export async function readRepoConfig(root: string): Promise<RepoConfig> {
  for (const name of REPO_CONFIG_FILES) {
    const file = path.join(root, name);
    if (existsSync(file)) return parseRepoConfig(await readFile(file, 'utf8'), name);
  }
  return defaultRepoConfig();
}

/** `globs` matched like selfreview matches them (picomatch, whole path); none: nothing matches. */
function matchesAny(file: string, globs: readonly string[]): boolean {
  // isTestFile is selfreview's picomatch matcher when given patterns; an empty list means its conventions.
  return globs.length > 0 && isTestFile(file, globs);
}

export async function readSources(root: string, config: RepoConfig) {
  const tree = (await git(root, 'ls-tree', '-r', '-l', 'HEAD'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [meta, file] = line.split('\t') as [string, string];
      const [mode, , , size] = meta.split(/\s+/);
      return { path: file, mode: mode ?? '', size: Number(size) || 0 };
    });
  const selection = selectSourceFiles(tree, config);
  const sources: { path: string; text: string }[] = [];
  const eligible: string[] = [];
  const testGlobs = testFileGlobs(config);
  for (const file of selection.files) {
    const text = await readFile(path.join(root, file), 'utf8');
    sources.push({ path: file, text });
    // Tests by name, or by importing a test runner (date-fns names its tests `test.ts`).
    if (isTestFile(file, testGlobs) || importsTestRunner(text) || contentSkipReason(file, text) !== undefined)
      continue;
    if (matchesAny(file, config.protectedPaths)) continue;
    eligible.push(file);
  }
  const packageRoots = tree
    .filter((e) => path.posix.basename(e.path) === 'package.json')
    .map((e) => path.posix.dirname(e.path));
  return { sources, eligible, packageRoots };
}

/**
 * Writes the injections, typechecks the whole project, and takes back those of any file with a
 * diagnostic that is not one of the intended "unused" ones (an optional parameter can also break
 * a caller elsewhere: those go when some other file breaks). Repeats until the typecheck agrees.
 */
async function injectVerified(
  root: string,
  planned: readonly Injection[],
  texts: ReadonlyMap<string, string>,
  baseline: readonly Diagnostic[],
  opts: EvaluationOptions,
  say: (line: string) => void,
): Promise<{
  kept: Injection[];
  dropped: Evaluation['dropped'];
  manifest: ManifestEntry[];
  diagnostics: Diagnostic[];
}> {
  let kept = [...planned];
  const dropped: Evaluation['dropped'] = [];
  let manifest: ManifestEntry[] = [];
  let diagnostics = [...baseline];
  for (let round = 1; round <= 3 && kept.length > 0; round++) {
    manifest = [];
    for (const file of new Set(planned.map((i) => i.file))) {
      const applied = applyInjections(
        texts.get(file)!,
        kept.filter((i) => i.file === file),
      );
      await writeFile(path.join(root, file), applied.text);
      manifest.push(...applied.entries);
    }
    const after = await typecheck(root, opts.tsconfig, opts.checkTimeoutMs ?? 10 * 60_000);
    const injectedFiles = new Set(kept.map((i) => i.file));
    const unintended = newDiagnostics(baseline, after.diagnostics).filter(
      (d) => !isIntendedUnused(d, injectedFiles),
    );
    say(`typecheck after injection (round ${round}): ${unintended.length} unintended new diagnostics`);
    if (unintended.length === 0 && !after.error) {
      diagnostics = after.diagnostics;
      break;
    }
    const blame = (i: Injection): Diagnostic | undefined =>
      unintended.find((d) => d.file === i.file) ??
      (i.kind === 'unused-parameter'
        ? unintended.find((d) => d.file === null || !injectedFiles.has(d.file))
        : undefined);
    const next: Injection[] = [];
    for (const i of kept) {
      const culprit = blame(i);
      const why =
        after.error ?? (culprit ? `TS${culprit.code} ${culprit.message.split('\n')[0]}` : undefined);
      if (why === undefined) next.push(i);
      else dropped.push({ file: i.file, kind: i.kind, name: i.name, why });
    }
    // Still broken with nothing to blame, or after the last round: drop them all rather than commit a broken base.
    if (next.length === kept.length || round === 3) {
      const first = unintended[0];
      const why = `the typecheck still objects: ${first ? `${first.file ?? '-'} TS${first.code}` : after.error}`;
      for (const i of next) dropped.push({ file: i.file, kind: i.kind, name: i.name, why });
      kept = [];
      break;
    }
    kept = next;
  }
  if (kept.length === 0) {
    for (const file of new Set(planned.map((i) => i.file)))
      await writeFile(path.join(root, file), texts.get(file)!);
    manifest = [];
  }
  return { kept, dropped, manifest, diagnostics };
}

function runPipeline(root: string, reportFile: string, opts: EvaluationOptions): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      SELFREVIEW,
      ['run', root, '--report', reportFile, '--timeout', String(opts.timeoutMinutes)],
      {
        cwd: path.dirname(SELFREVIEW),
        // Its own key prefix, so the evaluation's queues never mix with an installation's on the same Redis.
        env: {
          ...opts.env,
          SELFREVIEW_PREFIX:
            opts.env.SELFREVIEW_PREFIX ??
            `eval-${path
              .basename(root)
              .replace(/[^A-Za-z0-9_-]/g, '')
              .slice(0, 16)}-${Date.now().toString(36)}`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (c: Buffer) => opts.progress(c.toString()));
    child.stderr.on('data', (c: Buffer) => opts.progress(c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
}

/** What changed in the copy's own branch and working tree since the injection commit: nothing, if selfreview kept its word. */
async function baseChanges(
  root: string,
  branch: string,
  baseSha: string,
  statusBefore: string,
): Promise<string[]> {
  const problems: string[] = [];
  const head = (await git(root, 'rev-parse', 'HEAD')).trim();
  const current = (await git(root, 'rev-parse', '--abbrev-ref', 'HEAD')).trim();
  const tip = (await git(root, 'rev-parse', `refs/heads/${branch}`)).trim();
  if (head !== baseSha) problems.push(`HEAD moved from ${baseSha.slice(0, 7)} to ${head.slice(0, 7)}`);
  if (current !== branch) problems.push(`checked-out branch changed from ${branch} to ${current}`);
  if (tip !== baseSha) problems.push(`${branch} moved to ${tip.slice(0, 7)}`);
  const status = await git(root, 'status', '--porcelain', '--untracked-files=all');
  if (status !== statusBefore)
    problems.push(`working tree changed: ${status.trim().split('\n').slice(0, 3).join('; ')}`);
  return problems;
}

async function inspectBranches(
  root: string,
  baseSha: string,
  /** The typecheck of the base, from the injection step: the same commit, the same dependencies. */
  baseDiagnostics: readonly Diagnostic[],
  source: string,
  tsconfig: string,
  runner: TestRunner | null,
  checkTimeoutMs: number,
  work: string,
  say: (line: string) => void,
): Promise<BranchInspection[]> {
  const names = (await git(root, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/selfreview/'))
    .split('\n')
    .filter(Boolean);
  if (names.length === 0) return [];
  // A scratch worktree of the copy: the branches are checked there, never in the copy itself.
  const scratch = path.join(work, 'scratch');
  await git(root, 'worktree', 'add', '--quiet', '--detach', scratch, baseSha);
  try {
    const sourceRoot = (await git(source, 'rev-parse', '--show-toplevel')).trim();
    // Submodules as the copy has them checked out (a clone sharing their objects, as the fix
    // worker does): `submodule update` in a linked worktree would look for the remote.
    for (const line of (await git(root, 'ls-tree', '-r', baseSha)).split('\n')) {
      const m = /^160000 commit ([0-9a-f]+)\t(.+)$/.exec(line);
      if (!m?.[1] || !m[2] || !existsSync(path.join(root, m[2], '.git'))) continue;
      await git(scratch, 'clone', '--quiet', '--shared', '--no-checkout', '--', path.join(root, m[2]), m[2]);
      await git(path.join(scratch, m[2]), 'checkout', '--quiet', '--detach', m[1]);
    }
    await linkDependencies(sourceRoot, scratch);
    const out: BranchInspection[] = [];
    for (const branch of names) {
      say(`checking ${branch}`);
      const tip = (await git(root, 'rev-parse', branch)).trim();
      const ahead = Number((await git(root, 'rev-list', '--count', `${baseSha}..${tip}`)).trim());
      const parent = (await git(root, 'rev-parse', `${tip}^`).catch(() => '')).trim();
      const files = (await git(root, 'diff', '--name-only', baseSha, tip)).split('\n').filter(Boolean);
      const hunks = parseHunks(await git(root, 'diff', '-U0', '--no-color', '--no-ext-diff', baseSha, tip));
      const diffStat = (await git(root, 'diff', '--stat', baseSha, tip)).trimEnd();
      const tipTexts: Record<string, string | null> = {};
      for (const f of files) tipTexts[f] = await git(root, 'show', `${tip}:${f}`).catch(() => null);

      const tests = runner
        ? await relatedTestsOutcome(scratch, runner, baseSha, tip, files, work, checkTimeoutMs)
        : noTestRunner();
      await git(scratch, 'checkout', '--quiet', '--detach', tip);
      const after = await typecheck(scratch, tsconfig, checkTimeoutMs);
      await git(scratch, 'checkout', '--quiet', '--detach', baseSha);
      out.push({
        branch,
        tip,
        commitsAhead: ahead,
        onBase: parent === baseSha,
        files,
        hunks,
        diffStat,
        tipTexts,
        newDiagnostics: after.error ? null : newDiagnostics(baseDiagnostics, after.diagnostics),
        typecheckError: after.error,
        tests,
      });
    }
    return out;
  } finally {
    await git(root, 'worktree', 'remove', '--force', scratch).catch(() => '');
  }
}
