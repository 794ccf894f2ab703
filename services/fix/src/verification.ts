/**
 * Verification relative to the base commit: a fix fails only for what it newly breaks.
 *
 * Typecheck: each affected project (the nearest tsconfig of each changed file, with the
 * TypeScript installed nearest to it) runs once at the base commit, cached by commit,
 * command and compiler version, and again after the change; diagnostics compare as sets of
 * (file, code, message without line numbers). With TypeScript 5 or later the base run also
 * leaves a `.tsbuildinfo`, cached with its diagnostics, from which the check after the change
 * runs incrementally (`./build-info.ts`); without one, or when anything about it is in doubt,
 * the check runs in full.
 * Tests: the tests related to the changed files run after the change; only when they fail
 * do the same tests run at the base (the changed files put back for the run, cached like the
 * typecheck), and they compare test by test. Tests that cannot run at the base are
 * `unavailable`, with the reason, not a failure of the fix.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readProjectConfig, type ts } from '@selfreview/shared/compiler';
import type { RepoConfig } from '@selfreview/shared/config';
import { dependencyMounts } from '@selfreview/shared/dependencies';
import { runRepositoryCode } from '@selfreview/shared/sandbox';
import type { CheckOutcome } from '@selfreview/shared/schemas';
import type { Worktree } from '@selfreview/shared/workspace';
import {
  buildInfoFile,
  forgetBuildInfo,
  hasBuildInfo,
  incrementalFlags,
  removeSeed,
  restoreBuildInfo,
  saveBuildInfo,
  writeSeed,
} from './build-info.ts';
import { affectedProject } from './projects.ts';
import { type FileChange, runtimeUnchanged } from './runtime-equivalence.ts';
import { newFailures, parseTestReport, planTests, type TestOutcome, type TestPlan } from './test-plan.ts';
import { type Diagnostic, type FileRegression, newDiagnostics } from './typecheck-output.ts';
import { compilerMounts, resolveTsc, runTypecheck, type TypecheckRun } from './verify.ts';

export type TypecheckVerdict = { error: string | null; regressions: FileRegression[] };
/** Why tests did not run for a change that compiles to the same JavaScript as the base. */
export const RUNTIME_UNCHANGED = 'the change compiles to the same JavaScript, so no runtime test can tell';

export type TestVerdict = { outcome: Exclude<CheckOutcome, 'skipped'> | 'skipped'; detail: string };

type CachedTests = { exit: number | null; outcomes: TestOutcome[] | null; detail: string };

/** A project's typecheck: its argv, and its build info file (worktree-relative) when incremental. */
export type ProjectCheck = { argv: string[]; buildInfo: string | null };

/** The base run of a project as cached: its diagnostics, and the hash of its cached build info. */
type CachedTypecheck = { diagnostics: Diagnostic[]; buildInfo: string | null };

/** How the check after the change ran, for the bench and the tests. */
export type TypecheckRunKind = 'full' | 'incremental';

export class Verifier {
  private readonly baseDiagnostics = new Map<string, Diagnostic[]>();
  /** Each project's base cache key and the hash of its cached build info (null: none). */
  private readonly baseBuildInfo = new Map<string, { key: string; sha256: string | null }>();
  /**
   * Projects whose build info in the worktree is one tsc wrote here (at the base, or after the
   * last change), so the next check can start from it.
   */
  private readonly buildInfoWritten = new Set<string>();
  /** How each project's last check after the change ran. */
  readonly lastRun = new Map<string, TypecheckRunKind>();
  /** Each file's project, looked up once: every typecheck round of the batch asks again. */
  private readonly projectOf = new Map<string, string>();
  /** Why the typecheck at the base could not run, by project: those projects are not judged. */
  readonly baseErrors: string[] = [];

  constructor(
    private readonly wt: Worktree,
    private readonly config: RepoConfig['fix'],
    /** Folder of this repository's per-commit cache; null: no cache. */
    private readonly cacheDir: string | null,
    private readonly deadline?: AbortSignal,
  ) {}

  /** The typecheck of each affected project, keyed by a description of the project. */
  typecheckCommands(changedFiles: readonly string[]): Map<string, ProjectCheck> {
    const commands = new Map<string, ProjectCheck>();
    if (this.config.typecheck.command) {
      // A configured command is the repository's own: it runs as given, in full.
      commands.set('configured', { argv: this.config.typecheck.command, buildInfo: null });
      return commands;
    }
    for (const file of changedFiles) {
      let project = this.projectOf.get(file);
      if (project === undefined) {
        project = affectedProject(this.wt.dir, file);
        this.projectOf.set(file, project);
      }
      if (commands.has(project)) continue;
      const tsc = nearestTsc(this.wt.dir, path.posix.dirname(project));
      const argv = [process.execPath, tsc, '--noEmit', '--pretty', 'false', '-p', project];
      const buildInfo = buildInfoFile(project, typescriptVersion(tsc));
      commands.set(project, {
        argv: buildInfo ? [...argv, ...incrementalFlags(buildInfo)] : argv,
        buildInfo,
      });
    }
    return commands;
  }

  /** The base commit's diagnostics for the projects of `files`: cached, or run now (before any change). */
  async baseline(files: readonly string[]): Promise<void> {
    for (const [project, check] of this.typecheckCommands(files)) {
      if (this.baseDiagnostics.has(project)) continue;
      const key = this.key('typecheck', check.argv);
      const cached = await this.readCache<CachedTypecheck>(key);
      if (cached && Array.isArray(cached.diagnostics)) {
        this.baseDiagnostics.set(project, cached.diagnostics);
        this.baseBuildInfo.set(project, { key, sha256: cached.buildInfo ?? null });
        continue;
      }
      // Nothing left from before: the base run checks everything and writes the base's build info.
      if (check.buildInfo) await this.seed(project, check.buildInfo, check.argv);
      const run = await this.runTsc(check.argv);
      if (run.error) {
        if (this.deadline?.aborted) throw new Error('batch time limit reached');
        this.baseErrors.push(`${project}: ${run.error}`);
        continue;
      }
      this.baseDiagnostics.set(project, run.diagnostics);
      const buildInfo = check.buildInfo
        ? await saveBuildInfo(this.cacheDir, key, this.wt.dir, check.buildInfo)
        : null;
      this.baseBuildInfo.set(project, { key, sha256: buildInfo });
      if (check.buildInfo) this.buildInfoWritten.add(project);
      await this.writeCache(key, { diagnostics: run.diagnostics, buildInfo } satisfies CachedTypecheck);
    }
  }

  /** The base's diagnostics of `project`, once `baseline` has them. */
  baseDiagnosticsOf(project: string): readonly Diagnostic[] | undefined {
    return this.baseDiagnostics.get(project);
  }

  /** New diagnostics in the projects of `files`, against the base. */
  async typecheck(files: readonly string[]): Promise<TypecheckVerdict> {
    await this.baseline(files);
    const changed = new Set(files);
    const regressions: FileRegression[] = [];
    for (const [project, check] of this.typecheckCommands(files)) {
      const before = this.baseDiagnostics.get(project);
      if (!before) continue; // could not run at the base either: reported as unavailable
      let run = await this.checkProject(project, check);
      let added = run.error ? [] : newDiagnostics(before, run.diagnostics);
      // A new diagnostic where the batch changed nothing came from a file tsc did not recheck,
      // or replayed differently: it fails the batch, so a full check has the last word.
      if (this.lastRun.get(project) === 'incremental' && added.some((r) => !changed.has(r.file))) {
        run = await this.fullCheck(project, check);
        added = run.error ? [] : newDiagnostics(before, run.diagnostics);
      }
      if (run.error) return { error: `${project}: ${run.error}`, regressions: [] };
      regressions.push(...added);
    }
    return { error: null, regressions: mergeByFile(regressions) };
  }

  /**
   * One check of `project` in the worktree as it is now: incremental from the build info tsc
   * wrote here last, else from the base's in the cache when its hash matches, else in full.
   * An incremental run that fails (other than by time) runs again in full.
   */
  private async checkProject(project: string, check: ProjectCheck): Promise<TypecheckRun> {
    if (!check.buildInfo) {
      this.lastRun.set(project, 'full');
      return this.runTsc(check.argv);
    }
    const base = this.baseBuildInfo.get(project);
    const incremental =
      this.buildInfoWritten.has(project) ||
      (await restoreBuildInfo(
        this.cacheDir,
        base?.key ?? '',
        base?.sha256 ?? null,
        this.wt.dir,
        check.buildInfo,
      ));
    if (!incremental) return this.fullCheck(project, check);
    this.buildInfoWritten.delete(project);
    this.lastRun.set(project, 'incremental');
    const run = await this.runTsc(check.argv);
    if (!run.error) {
      this.buildInfoWritten.add(project);
      return run;
    }
    if (this.deadline?.aborted || run.timedOut) {
      await forgetBuildInfo(this.wt.dir, check.buildInfo);
      return run;
    }
    return this.fullCheck(project, check);
  }

  /**
   * Puts the seed's build info (`project` with no files) at `file`, from which the base run
   * records the declaration signature of every file (see ./build-info.ts); without one, the
   * base run builds from nothing and later checks recheck more, never less.
   */
  private async seed(project: string, file: string, argv: readonly string[]): Promise<void> {
    await forgetBuildInfo(this.wt.dir, file);
    const seedArgv = await writeSeed(this.wt.dir, file, project, argv);
    try {
      const run = await this.runTsc(seedArgv);
      if (run.error || !hasBuildInfo(this.wt.dir, file)) await forgetBuildInfo(this.wt.dir, file);
    } finally {
      await removeSeed(this.wt.dir, file);
    }
  }

  /** A check of `project` with no build info: everything is checked (and a new one written). */
  private async fullCheck(project: string, check: ProjectCheck): Promise<TypecheckRun> {
    this.lastRun.set(project, 'full');
    if (check.buildInfo) {
      this.buildInfoWritten.delete(project);
      await forgetBuildInfo(this.wt.dir, check.buildInfo);
    }
    const run = await this.runTsc(check.argv);
    if (check.buildInfo && !run.error) this.buildInfoWritten.add(project);
    return run;
  }

  private runTsc(argv: readonly string[]): Promise<TypecheckRun> {
    return runTypecheck(
      this.wt.dir,
      argv,
      this.config.typecheck.timeoutSeconds * 1000,
      this.deadline,
      this.tools(argv),
    );
  }

  /** Folders the sandbox shows for selfreview's own typecheck command; none for a configured one. */
  private tools(argv: readonly string[]): string[] {
    return this.config.typecheck.command ? [] : compilerMounts(argv, this.wt.dir);
  }

  /** Whether the typecheck judged every affected project (else it is `unavailable`). */
  typecheckOutcome(files: readonly string[]): 'pass' | 'unavailable' {
    const judged = [...this.typecheckCommands(files).keys()].every((p) => this.baseDiagnostics.has(p));
    return judged ? 'pass' : 'unavailable';
  }

  /**
   * The repository's tests for `files` (changed in the worktree), judged against the base.
   * Not run when the runner is one we call directly (vitest, jest: a script could also lint or
   * check types) and the change compiles to the same JavaScript: no runtime test can tell.
   */
  async tests(files: readonly string[]): Promise<TestVerdict> {
    const plan = this.testPlan(files);
    if (!plan) return { outcome: 'skipped', detail: 'no test command' };
    if (plan.runner !== 'script' && (await this.emitsTheSame(files))) {
      return { outcome: 'skipped', detail: RUNTIME_UNCHANGED };
    }
    const after = await this.runTestPlan(plan);
    if (after.exit === 0) return { outcome: 'pass', detail: describePass(plan, after) };
    if (this.deadline?.aborted) throw new Error('batch time limit reached');

    const key = this.key('tests', plan.argv);
    let base = await this.readCache<CachedTests>(key);
    if (!base) {
      base = await this.atBase(files, () => this.runTestPlan(plan));
      if (this.deadline?.aborted) throw new Error('batch time limit reached');
      await this.writeCache(key, base);
    }
    if (after.outcomes && base.outcomes) {
      const fresh = newFailures(base.outcomes, after.outcomes);
      if (fresh.length === 0) {
        const known = base.outcomes.filter((t) => !t.passed).length;
        return { outcome: 'pass', detail: `no new test failures (${known} already failing at the base)` };
      }
      return {
        outcome: 'fail',
        detail: `new test failures: ${fresh
          .slice(0, 3)
          .map((t) => `${t.id}${t.message ? `: ${t.message}` : ''}`)
          .join('; ')}`,
      };
    }
    if (base.exit !== 0) {
      return { outcome: 'unavailable', detail: `tests fail at the base commit too: ${base.detail}` };
    }
    return { outcome: 'fail', detail: after.detail };
  }

  private async emitsTheSame(files: readonly string[]): Promise<boolean> {
    const changes: FileChange[] = [];
    for (const file of files) {
      const before = await this.wt.repo.readFile(this.wt.baseSha, file);
      const after = await readFile(path.join(this.wt.dir, file), 'utf8').catch(() => null);
      changes.push({ file, before, after });
    }
    return runtimeUnchanged(changes, (file) => this.emitOptions(file)).unchanged;
  }

  /** A file's project options as the compiler reads them; the file list is never enumerated. */
  private emitOptions(file: string): ts.CompilerOptions | null {
    let project = this.projectOf.get(file);
    if (project === undefined) {
      project = affectedProject(this.wt.dir, file);
      this.projectOf.set(file, project);
    }
    const parsed = readProjectConfig(path.join(this.wt.dir, project), {}, { enumerateFiles: false });
    return parsed && parsed.errors.length === 0 ? parsed.options : null;
  }

  private testPlan(files: readonly string[]): TestPlan | null {
    const reportFile = path.join(this.wt.dir, '.selfreview-test-report.json');
    if (this.config.test.command) {
      return { runner: 'script', argv: this.config.test.command, reportFile: null, related: false };
    }
    let script: string | undefined;
    try {
      const pkg = JSON.parse(readFileSync(path.join(this.wt.dir, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      script = pkg.scripts?.test;
    } catch {
      return null;
    }
    const bins: Partial<Record<'vitest' | 'jest', string>> = {};
    for (const runner of ['vitest', 'jest'] as const) {
      const bin = path.join(this.wt.dir, 'node_modules', '.bin', runner);
      if (existsSync(bin)) bins[runner] = bin;
    }
    const testFiles = files.filter((f) => /\.[cm]?[jt]sx?$/.test(f));
    return planTests({ script, changedFiles: testFiles, scope: this.config.test.scope, bins, reportFile });
  }

  private async runTestPlan(plan: TestPlan): Promise<CachedTests> {
    const [cmd, ...args] = plan.argv;
    if (plan.reportFile) await rm(plan.reportFile, { force: true });
    // Repository code: in the sandbox, which shows the worktree's linked dependencies read-only.
    const res = await runRepositoryCode(cmd as string, args, {
      cwd: this.wt.dir,
      timeoutMs: this.config.test.timeoutSeconds * 1000,
      ...(this.deadline ? { signal: this.deadline } : {}),
      readOnly: await dependencyMounts(this.wt.dir),
    });
    let outcomes: TestOutcome[] | null = null;
    if (plan.reportFile) {
      const text = await readFile(plan.reportFile, 'utf8').catch(() => null);
      if (text !== null) outcomes = parseTestReport(text, this.wt.dir);
      await rm(plan.reportFile, { force: true });
    }
    const tail = (res.stdout + res.stderr).trim().split('\n').slice(-3).join(' | ').slice(0, 500);
    const detail = res.timedOut
      ? `tests timed out after ${this.config.test.timeoutSeconds} s`
      : res.code === 0
        ? 'tests passed'
        : `tests failed (exit ${res.code ?? res.signal}): ${tail}`;
    return { exit: res.timedOut ? null : res.code, outcomes, detail };
  }

  /** Runs `fn` with `files` as they are at the base commit, then puts the changed text back. */
  private async atBase<T>(files: readonly string[], fn: () => Promise<T>): Promise<T> {
    const changed = new Map<string, string | null>();
    for (const f of files)
      changed.set(f, await readFile(path.join(this.wt.dir, f), 'utf8').catch(() => null));
    for (const f of files) {
      const base = await this.wt.repo.readFile(this.wt.baseSha, f);
      if (base === null) await rm(path.join(this.wt.dir, f), { force: true });
      else await writeFile(path.join(this.wt.dir, f), base);
    }
    try {
      return await fn();
    } finally {
      for (const [f, text] of changed) {
        if (text === null) await rm(path.join(this.wt.dir, f), { force: true });
        else await writeFile(path.join(this.wt.dir, f), text);
      }
    }
  }

  /** The cache key: commit, command (worktree paths made relative) and, for tsc, its version. */
  private key(kind: string, argv: readonly string[]): string {
    const relative = argv.map((a) => a.split(this.wt.dir).join('.'));
    const tscVersion = argv.map(typescriptVersion).find(Boolean) ?? '';
    return createHash('sha256')
      .update(JSON.stringify([kind, this.wt.baseSha, relative, tscVersion]))
      .digest('hex')
      .slice(0, 32);
  }

  private async readCache<T>(key: string): Promise<T | null> {
    if (!this.cacheDir) return null;
    try {
      return JSON.parse(await readFile(path.join(this.cacheDir, `${key}.json`), 'utf8')) as T;
    } catch {
      return null;
    }
  }

  private async writeCache(key: string, value: unknown): Promise<void> {
    if (!this.cacheDir) return;
    await mkdir(this.cacheDir, { recursive: true });
    // Written whole and renamed: a crash or a second worker never leaves half a file.
    const tmp = path.join(this.cacheDir, `${key}.${process.pid}.${Date.now()}.tmp`);
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, path.join(this.cacheDir, `${key}.json`));
  }
}

function describePass(plan: TestPlan, run: CachedTests): string {
  const count = run.outcomes?.length;
  const which = plan.related ? 'related tests' : 'tests';
  return count === undefined ? `${which} passed` : `${count} ${which} passed`;
}

function mergeByFile(regressions: FileRegression[]): FileRegression[] {
  const byFile = new Map<string, FileRegression>();
  for (const r of regressions) {
    const seen = byFile.get(r.file);
    if (!seen) byFile.set(r.file, { ...r, added: [...r.added], sample: [...r.sample] });
    else {
      seen.added.push(...r.added);
      seen.sample = [...seen.sample, ...r.sample].slice(0, 3);
    }
  }
  return [...byFile.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The TypeScript installed nearest to `dir` (in the worktree, up to its root), else selfreview's. */
function nearestTsc(root: string, dir: string): string {
  let d = dir;
  for (;;) {
    const candidate = path.join(root, d === '.' ? '' : d, 'node_modules', 'typescript', 'bin', 'tsc');
    if (existsSync(candidate)) return candidate;
    if (d === '.' || d === '') return resolveTsc(root).tsc;
    d = path.posix.dirname(d);
  }
}

function typescriptVersion(arg: string): string {
  if (!arg.endsWith(path.join('typescript', 'bin', 'tsc'))) return '';
  try {
    const pkg = path.join(path.dirname(path.dirname(realpathSync(arg))), 'package.json');
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}
