/** Runs one piece of `pnpm bench` as a child in its own process group, bounded in time and by signals. */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FROM_SOURCE } from '../helpers/cli.ts';
import type { PieceName } from './all-options.ts';
import type { PieceOutcome } from './all-table.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const MINUTE = 60_000;

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** One child run: a script of tests/bench with its flags, its JSON file and its time limit. */
export type Step = { piece: PieceName; name: string; script: string; args: string[]; limitMs: number };

export type StepOutcome = PieceOutcome & {
  args: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  json?: unknown;
};

/** One child, its stdout to `mdFile`, its stderr passed through, killed with its group past the limit. */
export async function runStep(step: Step, jsonFile: string, mdFile: string): Promise<StepOutcome> {
  const args = [...FROM_SOURCE, path.join(REPO_ROOT, 'tests/bench', step.script), ...step.args];
  log(
    `${step.name}: starting (limit ${Math.round(step.limitMs / MINUTE)} min): ${step.script} ${step.args.join(' ')}`,
  );
  const out = openSync(mdFile, 'w');
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', out, 'inherit'],
  });
  closeSync(out);
  running = child.pid;
  let timedOut = false;
  let hardKill: NodeJS.Timeout | undefined;
  const limit = setTimeout(() => {
    timedOut = true;
    log(`${step.name}: over its ${Math.round(step.limitMs / MINUTE)} min: SIGTERM to its process group`);
    killGroup(child.pid, 'SIGTERM');
    hardKill = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 20_000);
  }, step.limitMs);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', () => resolve([null, null]));
    child.once('exit', (code, sig) => resolve([code, sig]));
  });
  clearTimeout(limit);
  clearTimeout(hardKill);
  // Whatever the piece left behind (a gateway, a worker) goes with it.
  killGroup(child.pid, 'SIGKILL');
  running = undefined;
  if (stopping) process.exit(130);
  const wallMs = performance.now() - startedAt;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(jsonFile, 'utf8'));
  } catch {
    json = undefined;
  }
  const ended = timedOut
    ? `timed out after ${Math.round(step.limitMs / MINUTE)} min`
    : signal
      ? `killed by ${signal}`
      : exitCode !== 0
        ? `exit ${exitCode}`
        : undefined;
  const error =
    json === undefined
      ? `${ended ?? 'exit 0'}, no JSON written (see ${path.relative(REPO_ROOT, mdFile)} and the log above)`
      : ended;
  log(`${step.name}: ${error ?? 'done'} after ${(wallMs / 1000).toFixed(1)} s`);
  return {
    name: step.name,
    ok: error === undefined,
    wallMs,
    ...(error !== undefined ? { error } : {}),
    args: step.args,
    exitCode,
    signal,
    timedOut,
    ...(json !== undefined ? { json } : {}),
  };
}

/** The process group of the piece running now. */
let running: number | undefined;
/** Set by SIGINT or SIGTERM: no piece starts after the running one. */
let stopping = false;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Past the first SIGINT or SIGTERM no piece starts; the running one gets SIGTERM, then SIGKILL. */
export function stopOnSignals(): void {
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

function onSignal(signal: NodeJS.Signals): void {
  log(`${signal}: stopping the running piece`);
  stopping = true;
  if (running === undefined) process.exit(130);
  killGroup(running, 'SIGTERM');
  setTimeout(() => {
    killGroup(running, 'SIGKILL');
    process.exit(130);
  }, 15_000).unref();
  process.once(signal, () => {
    killGroup(running, 'SIGKILL');
    process.exit(130);
  });
}

/** When `pnpm bench` itself fails, the piece it was running must not outlive it. */
export function killRunningPiece(): void {
  killGroup(running, 'SIGKILL');
}
