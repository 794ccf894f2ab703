/**
 * Real fix worker processes for fault tests, and fix jobs for small fixture repositories:
 * a worker is `node --import tsx services/fix/src/main.ts`, as a deployment runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { analyzeFile } from '@selfreview/scan/analyze';
import type { FixJob } from '@selfreview/shared/queues';
import type { FixItem } from '@selfreview/shared/schemas';
import { TSX } from './cli.ts';

const FIX_MAIN = fileURLToPath(new URL('../../services/fix/src/main.ts', import.meta.url));

export type WorkerProc = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

export function startFixWorker(env: Record<string, string>): WorkerProc {
  const child = spawn(process.execPath, ['--import', TSX, FIX_MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls `check` every 50 ms until it holds; throws after `limitMs` naming what it waited for. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  limitMs = 60_000,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
}

/** The unused-import items the scan would find in `text`, judged fixable. */
export function unusedImportItems(file: string, text: string): FixItem[] {
  return analyzeFile(file, text, { rules: ['unused-import'] }).candidates.map((candidate) => ({
    candidate,
    changeType: 'remove_unused_import',
    confidence: 0.95,
  }));
}

/** One batch of one file of `sources`. */
export function oneFileBatch(
  sources: Record<string, string>,
  file: string,
  job: { runId: string; repo: string; baseSha: string; batchId: string },
): FixJob {
  return {
    runId: job.runId,
    repo: { path: job.repo },
    baseBranch: 'main',
    baseSha: job.baseSha,
    batchId: job.batchId,
    files: [{ file, items: unusedImportItems(file, sources[file] ?? '') }],
  };
}
