/**
 * `selfreview scan PATH [--json]`: the scan stage alone, in this process, on the commit
 * checked out at PATH. Nothing is judged, fixed or written to the repository; no Redis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  compilerTimeoutFromEnv,
  findNativeTsc,
  fullScan,
  type ScanOutcome,
  scanSettingsFrom,
} from '@selfreview/scan';
import { UserInputError } from '@selfreview/shared/errors';
import { loadRepoConfigAt } from '@selfreview/shared/repo-files';
import { Repository } from '@selfreview/shared/workspace';

export type ScanCommandOptions = {
  path: string;
  json: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
};

export async function scanCommand(opts: ScanCommandOptions): Promise<ScanOutcome> {
  const repo = await Repository.open(opts.path);
  if (!(await repo.hasCommits())) throw new UserInputError(`${opts.path}: the repository has no commits yet`);
  const { sha } = await repo.head();
  const timeoutMs = compilerTimeoutFromEnv(opts.env ?? process.env);
  const config = await loadRepoConfigAt(repo, sha);
  const tscPath = await findNativeTsc();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-scan-'));
  const progress = opts.json ? undefined : (phase: string) => opts.err.write(`… ${phase}\n`);
  try {
    const outcome = await fullScan(repo, sha, scanSettingsFrom(config), {
      workDir,
      tscPath,
      timeoutMs,
      ...(progress ? { progress } : {}),
    });
    if (opts.json) {
      opts.out.write(`${JSON.stringify({ sha, ...outcome })}\n`);
    } else {
      for (const c of outcome.candidates) opts.out.write(`${c.file}:${c.line}  ${c.rule}  ${c.message}\n`);
      for (const w of outcome.warnings) opts.err.write(`warning: ${w}\n`);
      // Last on stderr, where they are seen: the candidates above are incomplete.
      for (const e of outcome.errors) opts.err.write(`${errorLine(e, opts.err)}\n`);
      const byRule = new Map<string, number>();
      for (const c of outcome.candidates) byRule.set(c.rule, (byRule.get(c.rule) ?? 0) + 1);
      const counts = [...byRule].map(([rule, n]) => `${rule} ${n}`).join(', ');
      opts.out.write(
        `${outcome.candidates.length} candidate(s) in ${outcome.files} file(s) at ${sha.slice(0, 7)}` +
          `${counts ? ` (${counts})` : ''}; ${(outcome.durationMs / 1000).toFixed(2)} s, ${engineName(outcome.engine)}\n`,
      );
    }
    return outcome;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Red where a person reads it (a terminal that allows colour), plain in pipes and logs. */
function errorLine(message: string, stream: NodeJS.WritableStream): string {
  const tty = (stream as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR;
  return tty ? `\x1b[31merror: ${message}\x1b[0m` : `error: ${message}`;
}

/** The exit code of `selfreview scan`: 1 when the scan lost work (see ScanOutcome.errors). */
export function scanExitCode(outcome: ScanOutcome): number {
  return outcome.errors.length > 0 ? 1 : 0;
}

function engineName(engine: ScanOutcome['engine']): string {
  switch (engine) {
    case 'native':
      return 'checked with the native compiler';
    case 'javascript':
      return 'checked with the JavaScript compiler';
    default:
      return 'no compiler check (no tsconfig.json)';
  }
}
