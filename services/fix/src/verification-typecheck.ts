/**
 * The typecheck half of verification (see ./verification.ts): each affected project runs once
 * at the base commit (cached by commit, command and compiler version, with its build info when
 * incremental) and again after each change; a fix fails only for diagnostics it adds.
 */
import path from 'node:path';
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
import { type Diagnostic, type FileRegression, newDiagnostics } from './typecheck-output.ts';
import { nearestTsc, typescriptVersion } from './typescript-install.ts';
import { VerificationScope } from './verification-scope.ts';
import { compilerMounts, runTypecheck, type TypecheckRun } from './verify.ts';

export type TypecheckVerdict = { error: string | null; regressions: FileRegression[] };

/** A project's typecheck: its argv, and its build info file (worktree-relative) when incremental. */
export type ProjectCheck = { argv: string[]; buildInfo: string | null };

/** The base run of a project as cached: its diagnostics, and the hash of its cached build info. */
type CachedTypecheck = { diagnostics: Diagnostic[]; buildInfo: string | null };

/** How the check after the change ran, for the bench and the tests. */
export type TypecheckRunKind = 'full' | 'incremental';

export class TypecheckVerifier extends VerificationScope {
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
  /** Why the typecheck at the base could not run, by project: those projects are not judged. */
  readonly baseErrors: string[] = [];

  /** The typecheck of each affected project, keyed by a description of the project. */
  commands(changedFiles: readonly string[]): Map<string, ProjectCheck> {
    const commands = new Map<string, ProjectCheck>();
    if (this.config.typecheck.command) {
      // A configured command is the repository's own: it runs as given, in full.
      commands.set('configured', { argv: this.config.typecheck.command, buildInfo: null });
      return commands;
    }
    for (const file of changedFiles) {
      const project = this.projectOf(file);
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
    for (const [project, check] of this.commands(files)) {
      if (this.baseDiagnostics.has(project)) continue;
      const key = this.cache.key('typecheck', check.argv);
      const cached = await this.cache.read<CachedTypecheck>(key);
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
        ? await saveBuildInfo(this.cache.dir, key, this.wt.dir, check.buildInfo)
        : null;
      this.baseBuildInfo.set(project, { key, sha256: buildInfo });
      if (check.buildInfo) this.buildInfoWritten.add(project);
      await this.cache.write(key, { diagnostics: run.diagnostics, buildInfo } satisfies CachedTypecheck);
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
    for (const [project, check] of this.commands(files)) {
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

  /** Whether the typecheck judged every affected project (else it is `unavailable`). */
  outcome(files: readonly string[]): 'pass' | 'unavailable' {
    const judged = [...this.commands(files).keys()].every((p) => this.baseDiagnostics.has(p));
    return judged ? 'pass' : 'unavailable';
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
        this.cache.dir,
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
