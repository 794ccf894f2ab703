/**
 * The workers' health check (services/<svc>/dist/health.js), as Docker's HEALTHCHECK and the
 * chart's probes run it: on a real worker process (the built one) and a private redis-server.
 * Not ready before the worker is; ready while it runs; not ready but alive while Redis is gone;
 * neither once the worker is gone and its heartbeat is stale.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@selfreview/shared/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, ROOT } from './helpers/build.ts';
import { removeDir, tempDir } from './helpers/git.ts';
import { until } from './helpers/processes.ts';
import { type OwnRedis, startRedisServer } from './helpers/redis-server.ts';

type Check = { code: number | null; out: string };

function health(script: string, env: Record<string, string>, ...args: string[]): Promise<Check> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, script), ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, out: stdout + stderr });
      },
    );
  });
}

describe('worker health check', () => {
  let redis: OwnRedis;
  let redisDir: string;
  let port: number;
  let dataDir: string;
  let healthDir: string;
  let worker: ChildProcess | undefined;
  let workerOut = '';
  let env: Record<string, string>;

  beforeAll(async () => {
    await build();
    redisDir = await tempDir();
    dataDir = await tempDir();
    healthDir = await tempDir();
    port = await freePort();
    redis = await startRedisServer({
      port,
      dir: redisDir,
      aof: true,
      args: ['--maxmemory-policy', 'noeviction'],
    });
    env = {
      REDIS_URL: redis.url,
      SELFREVIEW_PREFIX: `health${process.pid}`,
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_HEALTH_DIR: healthDir,
      LOG_LEVEL: 'info',
    };
  }, 300_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await redis?.stop('SIGKILL');
    for (const dir of [redisDir, dataDir, healthDir]) if (dir) await removeDir(dir);
  });

  it('follows a real apply worker: not started, ready, Redis gone, worker gone', async () => {
    const check = (...args: string[]) => health('services/apply/dist/health.js', env, ...args);

    const before = await check();
    expect(before.code).toBe(1);
    expect(before.out).toContain('no heartbeat');

    worker = spawn(process.execPath, [path.join(ROOT, 'services/apply/dist/main.js')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (c: Buffer) => {
      workerOut += c.toString();
    });
    worker.stderr?.on('data', (c: Buffer) => {
      workerOut += c.toString();
    });
    await until('the worker to be ready', () => workerOut.includes('worker ready'), 60_000);
    await until('the heartbeat', async () => (await check()).code === 0, 30_000);
    const beat = JSON.parse(await readFile(path.join(healthDir, 'selfreview-apply.heartbeat'), 'utf8'));
    expect(beat).toMatchObject({ service: 'apply', pid: worker.pid, redis: 'ready', running: true });
    const ready = await check();
    expect(ready.out).toMatch(/^apply: ready .*Redis answers/);
    expect((await check('--live')).code).toBe(0);

    // Redis gone: not ready (the probe takes it out of service), still alive (no restart: it reconnects).
    await redis.stop('SIGTERM');
    const noRedis = await check();
    expect(noRedis.code).toBe(1);
    expect(noRedis.out).toMatch(/Redis does not answer|Redis connection is/);
    const alive = await check('--live');
    expect(alive.code).toBe(0);
    expect(alive.out).toContain('alive');

    // Redis back: ready again once the worker has reconnected.
    redis = await startRedisServer({
      port,
      dir: redisDir,
      aof: true,
      args: ['--maxmemory-policy', 'noeviction'],
    });
    await until('ready again', async () => (await check()).code === 0, 60_000);

    // SIGTERM: the worker stops cleanly; its last heartbeat then goes stale.
    worker.kill('SIGTERM');
    await until('the worker to exit', () => worker?.exitCode !== null, 30_000);
    expect(worker.exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const stale = await health(
      'services/apply/dist/health.js',
      { ...env, SELFREVIEW_HEALTH_MAX_AGE_SECONDS: '1' },
      '--live',
    );
    expect(stale.code).toBe(1);
    expect(stale.out).toContain('the worker is stuck');
  });

  it('checks the gateway over HTTP on this host', async () => {
    const down = await health('services/gateway/dist/health.js', {
      SELFREVIEW_GATEWAY_HOST: '0.0.0.0',
      SELFREVIEW_GATEWAY_PORT: String(await freePort()),
    });
    expect(down.code).toBe(1);
    expect(down.out).toMatch(/^gateway: http:\/\/127\.0\.0\.1:\d+\/readyz did not answer/);
  });
});
