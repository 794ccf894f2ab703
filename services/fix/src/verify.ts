/**
 * The typecheck adapter: the repository's own TypeScript (its installed `typescript` package
 * is as much repository code as its tests), run in the sandbox with a time limit.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { dependencyMounts } from '@selfreview/shared/dependencies';
import { runRepositoryCode, toolMount } from '@selfreview/shared/sandbox';
import { type Diagnostic, parseTscOutput } from './typecheck-output.ts';

export type TypecheckRun = {
  diagnostics: Diagnostic[];
  /** Set when the typecheck could not produce a trustworthy answer (timeout, crash). */
  error: string | null;
  /** It ran out of time (its error says so). */
  timedOut?: boolean;
};

/** The repository's own TypeScript when it has one installed, selfreview's otherwise. */
export function resolveTsc(repoRoot: string): { tsc: string; own: boolean } {
  const local = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  if (existsSync(local)) return { tsc: local, own: false };
  return { tsc: createRequire(import.meta.url).resolve('typescript/bin/tsc'), own: true };
}

/**
 * `tools`: folders outside the tree the command needs to see (selfreview's own TypeScript);
 * only for a command selfreview built, never one a repository configured, whose paths could
 * name anything on the machine.
 */
export async function runTypecheck(
  cwd: string,
  command: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
  tools: readonly string[] = [],
): Promise<TypecheckRun> {
  const [cmd, ...args] = command;
  if (!cmd) return { diagnostics: [], error: 'empty typecheck command' };
  const res = await runRepositoryCode(cmd, args, {
    cwd,
    timeoutMs,
    ...(signal ? { signal } : {}),
    readOnly: [...(await dependencyMounts(cwd)), ...tools],
  });
  if (res.timedOut)
    return {
      diagnostics: [],
      error: `typecheck timed out after ${Math.round(timeoutMs / 1000)} s`,
      timedOut: true,
    };
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

/**
 * What a typecheck command selfreview built (`node …/tsc …`) needs visible: the compiler's
 * folder when it is outside the tree (selfreview's own TypeScript, for a repository without
 * one). Node itself the sandbox always shows.
 */
export function compilerMounts(command: readonly string[], tree: string): string[] {
  const tsc = command[1];
  if (tsc === undefined || !path.isAbsolute(tsc) || tsc.startsWith(`${tree}${path.sep}`)) return [];
  return [toolMount(tsc)];
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}
