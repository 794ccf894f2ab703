/**
 * The typecheck adapter: the repository's own TypeScript, run as a subprocess with a minimal environment and a time limit.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { runCommand } from '@selfreview/shared/subprocess';
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

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}
