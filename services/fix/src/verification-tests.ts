/**
 * The tests half of verification (see ./verification.ts): the tests related to the changed
 * files run after the change; only when they fail do the same tests run at the base (the
 * changed files put back for the run, cached by commit and command), and they compare test by
 * test. Tests that cannot run at the base are `unavailable`, with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readProjectConfig, type ts } from '@selfreview/shared/compiler';
import { dependencyMounts } from '@selfreview/shared/dependencies';
import { runRepositoryCode } from '@selfreview/shared/sandbox';
import type { CheckOutcome } from '@selfreview/shared/schemas';
import { type FileChange, runtimeUnchanged } from './runtime-equivalence.ts';
import { newFailures, parseTestReport, planTests, type TestOutcome, type TestPlan } from './test-plan.ts';
import { VerificationScope } from './verification-scope.ts';

/** Why tests did not run for a change that compiles to the same JavaScript as the base. */
export const RUNTIME_UNCHANGED = 'the change compiles to the same JavaScript, so no runtime test can tell';

/** Why a run that exited 0 verified nothing: the runner found no test for the changed files. */
export const NO_TESTS_FOUND = 'the test runner found no test for these files';

export type TestVerdict = { outcome: Exclude<CheckOutcome, 'skipped'> | 'skipped'; detail: string };

type CachedTests = { exit: number | null; outcomes: TestOutcome[] | null; detail: string };

export class TestVerifier extends VerificationScope {
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
    if (after.exit === 0) {
      // A runner told to pass with no tests exits 0 having checked nothing: not a pass.
      if (after.outcomes?.length === 0) return { outcome: 'skipped', detail: NO_TESTS_FOUND };
      return { outcome: 'pass', detail: describePass(plan, after) };
    }
    if (this.deadline?.aborted) throw new Error('batch time limit reached');

    const key = this.cache.key('tests', plan.argv);
    let base = await this.cache.read<CachedTests>(key);
    if (!base) {
      base = await this.atBase(files, () => this.runTestPlan(plan));
      if (this.deadline?.aborted) throw new Error('batch time limit reached');
      await this.cache.write(key, base);
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
    const project = this.projectOf(file);
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
}

function describePass(plan: TestPlan, run: CachedTests): string {
  const count = run.outcomes?.length;
  const which = plan.related ? 'related tests' : 'tests';
  return count === undefined ? `${which} passed` : `${count} ${which} passed`;
}
