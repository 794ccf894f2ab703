/**
 * With Redis stopped, webhooks answer 503 within seconds and /readyz fails; when Redis is back
 * (same address), both recover by themselves, without restarting the gateway.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildGateway, type GatewayQueues } from '@selfreview/gateway/app';
import { RepoPauses } from '@selfreview/shared/pauses';
import { ALL_QUEUES } from '@selfreview/shared/queues';
import { createRedis, pingRedis, waitForReady } from '@selfreview/shared/redis';
import { findExecutable, freePort } from '@selfreview/shared/redis-server';
import { RunStore } from '@selfreview/shared/runs';
import { parseServerConfig } from '@selfreview/shared/server-config';
import { createQueue } from '@selfreview/shared/worker';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'down-test-secret';

describe('the gateway while Redis is down', () => {
  let dir: string;
  let port: number;
  let server: ChildProcess | null = null;
  let app: FastifyInstance;
  let queues: GatewayQueues;
  let redis: ReturnType<typeof createRedis>;
  let delivery = 0;

  const startRedis = async () => {
    const bin = findExecutable('redis-server');
    if (!bin) throw new Error('redis-server is needed (the test set-up installs it)');
    server = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 50; i++) {
      if (await pingRedis(`redis://127.0.0.1:${port}`, 300)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('redis-server did not start');
  };
  const stopRedis = async () => {
    const child = server;
    server = null;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-down-'));
    port = await freePort();
    await startRedis();
    redis = createRedis(`redis://127.0.0.1:${port}`, 'producer');
    redis.on('error', () => {});
    await waitForReady(redis, 10_000);
    const prefix = 'down';
    queues = Object.fromEntries(ALL_QUEUES.map((q) => [q, createQueue(q, redis, prefix)])) as GatewayQueues;
    for (const q of Object.values(queues)) q.on('error', () => {});
    app = await buildGateway({
      redis,
      prefix,
      queues,
      runs: new RunStore(redis, prefix),
      pauses: new RepoPauses(redis, prefix),
      serverConfig: parseServerConfig(
        'repositories:\n  - name: web\n    url: https://github.com/octo/web.git\n    webhooks:\n      github: { secretEnv: HOOK }\n',
        's.yaml',
      ),
      env: { HOOK: SECRET },
      credentials: null,
      log: pino({ level: 'silent' }),
      coalesceMs: 0,
    });
  });
  afterAll(async () => {
    await app.close();
    for (const q of Object.values(queues)) await q.close().catch(() => {});
    redis.disconnect();
    await stopRedis();
    await rm(dir, { recursive: true, force: true });
  });

  const push = () => {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: 'a'.repeat(40),
      after: 'b'.repeat(40),
      repository: { full_name: 'octo/web', clone_url: 'https://github.com/octo/web.git' },
      commits: [],
    });
    return app.inject({
      method: 'POST',
      url: '/webhooks/github',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `down-${++delivery}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
    });
  };

  it('answers 503 while Redis is down and recovers without a restart', async () => {
    expect((await push()).statusCode).toBe(202);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);

    await stopRedis();
    // The gateway's own deadline (3 s) bounds the wait; a hang would trip the test's timeout.
    const down = await push();
    expect(down.statusCode).toBe(503);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);

    await startRedis();
    let ready = 0;
    for (let i = 0; i < 60 && ready !== 200; i++) {
      ready = (await app.inject({ url: '/readyz' })).statusCode;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready).toBe(200);
    expect((await push()).statusCode).toBe(202);
  });
});
