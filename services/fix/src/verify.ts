/**
 * Verification adapters: the repository's own typecheck and tests, run as
 * subprocesses with a minimal environment and a time limit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RepoConfig } from '@selfreview/shared/config';
import { type CommandResult, runCommand } from '@selfreview/shared/subprocess';
import { type Diagnostic, parseTscOutput } from './typecheck-output.ts';

export type TypecheckRun = {
  diagnostics: Diagnostic[];
  /** Set when the typecheck could not produce a trustworthy answer (timeout, crash). */
  error: string | null;
};

/** The repository's own TypeScript when it has one installed, selfreview's otherwise. */
export function resolveTsc(repoRoot: string): { tsc: string; own: boolean } {
  const local = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  if (existsSync(local)) return { tsc: local, own: false };
  return { tsc: createRequire(import.meta.url).resolve('typescript/bin/tsc'), own: true };
}

export function typecheckCommand(repoRoot: string, config: RepoConfig['fix']['typecheck']): string[] {
  if (config.command) return config.command;
  return [process.execPath, resolveTsc(repoRoot).tsc, '--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'];
}

export async function runTypecheck(
  cwd: string,
  command: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TypecheckRun> {
  const [cmd, ...args] = command;
  if (!cmd) return { diagnostics: [], error: 'empty typecheck command' };
  const res = await runCommand(cmd, args, { cwd, timeoutMs, signal });
  if (res.timedOut)
    return { diagnostics: [], error: `typecheck timed out after ${Math.round(timeoutMs / 1000)} s` };
  const diagnostics = parseTscOutput(res.stdout, cwd);
  // tsc exits 1 or 2 with diagnostics; any other failure without diagnostics is a crash we can't judge by.
  if (res.code !== 0 && diagnostics.length === 0) {
    return {
      diagnostics,
      error: `typecheck exited ${res.code ?? res.signal}: ${firstLine(res.stderr || res.stdout)}`,
    };
  }
  return { diagnostics, error: null };
}

const NPM_DEFAULT_TEST = 'echo "Error: no test specified" && exit 1';

/** The configured test command, or `npm test` when package.json has a real test script, else none. */
export function detectTestCommand(worktree: string, config: RepoConfig['fix']['test']): string[] | null {
  if (config.command) return config.command;
  const manifest = path.join(worktree, 'package.json');
  if (!existsSync(manifest)) return null;
  try {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> };
    const script = pkg.scripts?.test;
    if (!script || script.trim() === NPM_DEFAULT_TEST) return null;
    return ['npm', 'test', '--silent'];
  } catch {
    return null;
  }
}

export async function runTests(
  cwd: string,
  command: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ ok: boolean; detail: string; result: CommandResult | null }> {
  const [cmd, ...args] = command;
  if (!cmd) return { ok: false, detail: 'empty test command', result: null };
  const result = await runCommand(cmd, args, { cwd, timeoutMs, signal });
  if (result.timedOut)
    return { ok: false, detail: `tests timed out after ${Math.round(timeoutMs / 1000)} s`, result };
  if (result.code !== 0) {
    return {
      ok: false,
      detail: `tests failed (exit ${result.code}): ${lastLines(result.stdout + result.stderr)}`,
      result,
    };
  }
  return { ok: true, detail: 'tests passed', result };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
}
