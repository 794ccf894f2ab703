/**
 * A worker's heartbeat, for container health checks and Kubernetes probes without an HTTP server
 * in every worker. The worker writes a small file every few seconds (its pid, the time, whether its
 * Redis connection is ready and its BullMQ worker is taking jobs); `node services/<svc>/dist/health.js`
 * reads it and asks Redis for a PING.
 *
 * - liveness (`health.js --live`): the heartbeat is fresh, i.e. the worker's event loop turns (a
 *   loop blocked longer than the job lock is a worker whose job another worker has taken over).
 *   It stays fresh while a stopping worker finishes its job.
 * - readiness (`health.js`): also, the worker said its Redis connection is ready and it takes
 *   jobs, and Redis answers a PING from the check itself.
 *
 * The file is `$SELFREVIEW_HEALTH_DIR/selfreview-<service>.heartbeat` (default: the system's
 * temporary folder; a container has its own). Processes of the same service on one host share
 * the file: the check then says whether one of them is alive.
 *
 * Each service's `health.ts` is one call of `runHealthCheck`; the workers call `startHeartbeat`.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config.ts';
import { pingRedis } from './redis.ts';

export type HeartbeatState = { redis: string; running: boolean };
export type Heartbeat = HeartbeatState & { service: string; pid: number; at: number };

const INTERVAL_MS = 10_000;
const DEFAULT_MAX_AGE_SECONDS = 90;

export function heartbeatFile(service: string, env: NodeJS.ProcessEnv): string {
  return path.join(env.SELFREVIEW_HEALTH_DIR || os.tmpdir(), `selfreview-${service}.heartbeat`);
}

/** Writes the heartbeat now and every 10 s until the process ends; failures to write are logged once. */
export function startHeartbeat(opts: {
  service: string;
  env: NodeJS.ProcessEnv;
  state: () => HeartbeatState;
  log: { warn: (obj: object, msg: string) => void };
}): void {
  const file = heartbeatFile(opts.service, opts.env);
  let warned = false;
  const beat = async () => {
    const beat: Heartbeat = { service: opts.service, pid: process.pid, at: Date.now(), ...opts.state() };
    // Written whole, then renamed: a reader never sees half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(beat)}\n`);
      await rename(tmp, file);
    } catch (err) {
      if (!warned) opts.log.warn({ err: (err as Error).message, file }, 'heartbeat not written');
      warned = true;
    }
  };
  void beat();
  setInterval(() => void beat(), INTERVAL_MS).unref();
}

export type HealthResult = { ok: boolean; reason: string };

/** The check `health.js` runs: exit code 0 when `ok`, else 1 (Docker's and Kubernetes' convention). */
export async function checkHealth(opts: {
  service: string;
  env: NodeJS.ProcessEnv;
  live: boolean;
  pingRedis: (url: string, timeoutMs: number) => Promise<boolean>;
  redisUrl: string;
  now?: number;
}): Promise<HealthResult> {
  const file = heartbeatFile(opts.service, opts.env);
  const maxAge = Number(opts.env.SELFREVIEW_HEALTH_MAX_AGE_SECONDS || DEFAULT_MAX_AGE_SECONDS);
  let beat: Heartbeat;
  try {
    beat = JSON.parse(await readFile(file, 'utf8')) as Heartbeat;
  } catch {
    return { ok: false, reason: `no heartbeat at ${file} (the ${opts.service} worker is not running yet)` };
  }
  const age = ((opts.now ?? Date.now()) - beat.at) / 1000;
  if (!(age <= maxAge))
    return {
      ok: false,
      reason: `heartbeat ${Math.round(age)} s old (limit ${maxAge} s): the worker is stuck`,
    };
  if (opts.live) return { ok: true, reason: `alive (heartbeat ${Math.round(age)} s old, pid ${beat.pid})` };
  if (beat.redis !== 'ready') return { ok: false, reason: `the worker's Redis connection is ${beat.redis}` };
  if (!beat.running) return { ok: false, reason: 'the worker takes no jobs (stopping or closed)' };
  if (!(await opts.pingRedis(opts.redisUrl, 3000))) return { ok: false, reason: 'Redis does not answer' };
  return { ok: true, reason: `ready (heartbeat ${Math.round(age)} s old, pid ${beat.pid}, Redis answers)` };
}

/**
 * A service's health check as its `health.js` runs it: exit 0 when healthy, 1 with one line
 * saying why not.
 */
export async function runHealthCheck(service: string): Promise<never> {
  const result = await checkHealth({
    service,
    env: process.env,
    live: process.argv.includes('--live'),
    pingRedis,
    redisUrl: loadConfig(process.env).redisUrl,
  });
  process.stdout.write(`${service}: ${result.reason}\n`);
  process.exit(result.ok ? 0 : 1);
}
