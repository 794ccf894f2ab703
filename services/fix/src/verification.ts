/**
 * Verification relative to the base commit: a fix fails only for what it newly breaks.
 *
 * Typecheck (`./verification-typecheck.ts`): each affected project (the nearest tsconfig of
 * each changed file, with the TypeScript installed nearest to it, `./typescript-install.ts`)
 * runs once at the base commit, cached by commit, command and compiler version
 * (`./verification-cache.ts`), and again after the change; diagnostics compare as sets of
 * (file, code, message without line numbers). With TypeScript 5 or later the base run also
 * leaves a `.tsbuildinfo`, cached with its diagnostics, from which the check after the change
 * runs incrementally (`./build-info.ts`); without one, or when anything about it is in doubt,
 * the check runs in full.
 * Tests (`./verification-tests.ts`): the tests related to the changed files run after the
 * change; only when they fail do the same tests run at the base (the changed files put back
 * for the run, cached like the typecheck), and they compare test by test. Tests that cannot run
 * at the base are `unavailable`, with the reason, not a failure of the fix.
 */
import type { RepoConfig } from '@selfreview/shared/config';
import type { Worktree } from '@selfreview/shared/workspace';
import { affectedProject } from './projects.ts';
import type { Diagnostic } from './typecheck-output.ts';
import { VerifyCache } from './verification-cache.ts';
import { type TestVerdict, TestVerifier } from './verification-tests.ts';
import {
  type ProjectCheck,
  type TypecheckRunKind,
  type TypecheckVerdict,
  TypecheckVerifier,
} from './verification-typecheck.ts';

export { NO_TESTS_FOUND, RUNTIME_UNCHANGED, type TestVerdict } from './verification-tests.ts';
export type { ProjectCheck, TypecheckRunKind, TypecheckVerdict } from './verification-typecheck.ts';

/** One batch's verification in its worktree: the typecheck and the tests, against the base. */
export class Verifier {
  /** How each project's last check after the change ran. */
  readonly lastRun: Map<string, TypecheckRunKind>;
  /** Why the typecheck at the base could not run, by project: those projects are not judged. */
  readonly baseErrors: string[];
  private readonly typechecks: TypecheckVerifier;
  private readonly testRuns: TestVerifier;

  constructor(
    wt: Worktree,
    config: RepoConfig['fix'],
    /** Folder of this repository's per-commit cache; null: no cache. */
    cacheDir: string | null,
    deadline?: AbortSignal,
  ) {
    const cache = new VerifyCache(cacheDir, wt.dir, wt.baseSha);
    // Each file's project, looked up once: every typecheck round of the batch asks again.
    const projects = new Map<string, string>();
    const projectOf = (file: string): string => {
      let project = projects.get(file);
      if (project === undefined) {
        project = affectedProject(wt.dir, file);
        projects.set(file, project);
      }
      return project;
    };
    this.typechecks = new TypecheckVerifier(wt, config, cache, projectOf, deadline);
    this.testRuns = new TestVerifier(wt, config, cache, projectOf, deadline);
    this.lastRun = this.typechecks.lastRun;
    this.baseErrors = this.typechecks.baseErrors;
  }

  /** The typecheck of each affected project, keyed by a description of the project. */
  typecheckCommands(changedFiles: readonly string[]): Map<string, ProjectCheck> {
    return this.typechecks.commands(changedFiles);
  }

  /** The base commit's diagnostics for the projects of `files`: cached, or run now (before any change). */
  baseline(files: readonly string[]): Promise<void> {
    return this.typechecks.baseline(files);
  }

  /** The base's diagnostics of `project`, once `baseline` has them. */
  baseDiagnosticsOf(project: string): readonly Diagnostic[] | undefined {
    return this.typechecks.baseDiagnosticsOf(project);
  }

  /** New diagnostics in the projects of `files`, against the base. */
  typecheck(files: readonly string[]): Promise<TypecheckVerdict> {
    return this.typechecks.typecheck(files);
  }

  /** Whether the typecheck judged every affected project (else it is `unavailable`). */
  typecheckOutcome(files: readonly string[]): 'pass' | 'unavailable' {
    return this.typechecks.outcome(files);
  }

  /** The repository's tests for `files` (changed in the worktree), judged against the base. */
  tests(files: readonly string[]): Promise<TestVerdict> {
    return this.testRuns.tests(files);
  }
}
