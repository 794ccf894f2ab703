/** Starts the three stage workers as separate processes, as a deployment would run them. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueueName } from '@selfreview/shared/queues';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The processes of a deployment: the three stage workers and the gateway. */
export type ProcessName = QueueName | 'gateway';

export const WORKER_ENTRYPOINTS: Record<ProcessName, string> = {
  gateway: path.join(ROOT, 'services/gateway/src/main.ts'),
  scan: path.join(ROOT, 'services/scan/src/main.ts'),
  apply: path.join(ROOT, 'services/apply/src/main.ts'),
  fix: path.join(ROOT, 'services/fix/src/main.ts'),
};

export type WorkerProcess = {
  stage: ProcessName;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
};

/** The tsx loader, resolved from here so the workers run TypeScript without a build step. */
function tsxLoader(): string {
  return createRequire(import.meta.url).resolve('tsx');
}

export function spawnWorker(stage: ProcessName, env: Record<string, string>, logDir: string): WorkerProcess {
  const logFile = path.join(logDir, `${stage}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', tsxLoader(), WORKER_ENTRYPOINTS[stage]], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { stage, child, logFile, exited };
}

export async function stopWorkers(workers: readonly WorkerProcess[], graceMs = 15_000): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      w.child.kill('SIGTERM');
      const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
      await w.exited;
      clearTimeout(timer);
    }),
  );
}
