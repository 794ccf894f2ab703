/**
 * The repository's own checks, run the way its owners run them: its TypeScript (selfreview's
 * when it has none) on its tsconfig, and its test runner on the tests related to some files.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { minimalEnv, runCommand } from '@selfreview/shared/subprocess';
import { type Diagnostic, parseTscOutput } from '@selfreview/shared/tsc-output';
import { git } from './git.ts';
import type { TestOutcome } from './scoring.ts';

export type TypecheckResult = { diagnostics: Diagnostic[]; error: string | null; durationMs: number };

export function tscPath(root: string): string {
  const own = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  return existsSync(own) ? own : createRequire(import.meta.url).resolve('typescript/bin/tsc');
}

export async function typecheck(cwd: string, tsconfig: string, timeoutMs: number): Promise<TypecheckResult> {
  const res = await runCommand(
    process.execPath,
    [tscPath(cwd), '--noEmit', '--pretty', 'false', '-p', tsconfig],
    { cwd, timeoutMs, env: minimalEnv(), maxOutputBytes: 32 * 1024 * 1024 },
  );
  const diagnostics = parseTscOutput(res.stdout, cwd);
  if (res.timedOut)
    return { diagnostics: [], error: `timed out after ${timeoutMs / 1000} s`, durationMs: res.durationMs };
  if (res.code !== 0 && diagnostics.length === 0) {
    const why = (res.stderr || res.stdout).trim().split('\n')[0] ?? '';
    return { diagnostics, error: `tsc exited ${res.code ?? res.signal}: ${why}`, durationMs: res.durationMs };
  }
  return { diagnostics, error: null, durationMs: res.durationMs };
}

/**
 * The repository files the project compiles (`tsc --listFilesOnly`), repository-relative; null
 * when the compiler cannot say. An injection outside them is one the repository's own typecheck
 * never sees, so no fix of it can be judged by the repository's tools.
 */
export async function programFiles(
  cwd: string,
  tsconfig: string,
  timeoutMs: number,
): Promise<Set<string> | null> {
  const res = await runCommand(process.execPath, [tscPath(cwd), '--listFilesOnly', '-p', tsconfig], {
    cwd,
    timeoutMs,
    env: minimalEnv(),
    maxOutputBytes: 32 * 1024 * 1024,
  });
  if (res.timedOut || res.code !== 0) return null;
  return listedRepositoryFiles(res.stdout, cwd);
}

/** The lines of `--listFilesOnly` output that name files inside `cwd` and outside node_modules. */
export function listedRepositoryFiles(output: string, cwd: string): Set<string> {
  const files = new Set<string>();
  for (const line of output.split('\n')) {
    const file = line.trim();
    if (!file) continue;
    const rel = path.relative(cwd, file).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split('/').includes('node_modules')) continue;
    files.add(rel);
  }
  return files;
}

export type TestRunner = { name: 'vitest' | 'jest'; entry: string };

export function detectTestRunner(root: string): TestRunner | null {
  const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
  if (existsSync(vitest)) return { name: 'vitest', entry: vitest };
  const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  if (existsSync(jest)) return { name: 'jest', entry: jest };
  return null;
}

/** Failing tests by `testFile > full name`, or why the run gave no answer. */
export type RelatedTestsRun = { failing: Set<string>; tests: number } | { error: string };

export async function runRelatedTests(
  cwd: string,
  runner: TestRunner,
  files: readonly string[],
  outputFile: string,
  timeoutMs: number,
): Promise<RelatedTestsRun> {
  await rm(outputFile, { force: true });
  const args =
    runner.name === 'vitest'
      ? ['related', ...files, '--run', '--passWithNoTests', '--reporter=json', `--outputFile=${outputFile}`]
      : ['--ci', '--findRelatedTests', ...files, '--passWithNoTests', '--json', `--outputFile=${outputFile}`];
  const res = await runCommand(process.execPath, [runner.entry, ...args], {
    cwd,
    timeoutMs,
    env: minimalEnv(),
  });
  if (res.timedOut) return { error: `${runner.name} timed out after ${timeoutMs / 1000} s` };
  const json = await readFile(outputFile, 'utf8').catch(() => null);
  if (json === null) {
    const why = (res.stderr || res.stdout).trim().split('\n').slice(-1)[0] ?? '';
    return { error: `${runner.name} exited ${res.code ?? res.signal} without results: ${why}` };
  }
  return failingTests(JSON.parse(json) as JestLikeResults, cwd);
}

/** The shape vitest's json reporter shares with jest's `--json`. */
export type JestLikeResults = {
  numTotalTests?: number;
  testResults?: {
    name: string;
    status?: string;
    message?: string;
    assertionResults?: { fullName?: string; title?: string; status: string }[];
  }[];
};

export function failingTests(results: JestLikeResults, cwd: string): { failing: Set<string>; tests: number } {
  const failing = new Set<string>();
  for (const file of results.testResults ?? []) {
    const rel = path.relative(cwd, file.name) || file.name;
    const failedAssertions = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failedAssertions) failing.add(`${rel} > ${a.fullName ?? a.title ?? '?'}`);
    // A file that fails before any test runs (a broken import) has no failed assertion to show for it.
    if (file.status === 'failed' && failedAssertions.length === 0)
      failing.add(`${rel} > (the file failed to run)`);
  }
  return { failing, tests: results.numTotalTests ?? 0 };
}

/** The outcome when the repository has no test runner selfreview can call. */
export function noTestRunner(): TestOutcome {
  return { status: 'none', detail: 'no vitest or jest installed' };
}

/**
 * The related tests of `files` at the base and at a branch's tip, in a scratch worktree: newly
 * failing tests are the branch's; tests that cannot run at the base are unavailable.
 */
export async function relatedTestsOutcome(
  scratch: string,
  runner: TestRunner,
  baseSha: string,
  tip: string,
  files: readonly string[],
  work: string,
  timeoutMs: number,
): Promise<TestOutcome> {
  const output = path.join(work, 'tests.json');
  await git(scratch, 'checkout', '--quiet', '--detach', baseSha);
  const before = await runRelatedTests(scratch, runner, files, output, timeoutMs);
  if ('error' in before) return { status: 'unavailable', detail: `at the base: ${before.error}` };
  await git(scratch, 'checkout', '--quiet', '--detach', tip);
  const after = await runRelatedTests(scratch, runner, files, output, timeoutMs);
  await git(scratch, 'checkout', '--quiet', '--detach', baseSha);
  if ('error' in after) return { status: 'newly_failing', detail: after.error };
  const newly = [...after.failing].filter((t) => !before.failing.has(t));
  if (newly.length > 0)
    return { status: 'newly_failing', detail: `${newly.length} newly failing, e.g. ${newly[0]}` };
  return { status: 'pass', detail: `${after.tests} related tests, none newly failing` };
}
