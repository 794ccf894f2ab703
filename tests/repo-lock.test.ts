/** One fix batch per repository at a time, on a real Redis and a real BullMQ queue. */
import { setTimeout as sleep } from 'node:timers/promises';
import { createFixProcessor } from '@selfreview/fix/processor';
import { RepoLock } from '@selfreview/shared/locks';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { type Job, Queue, Worker } from 'bullmq';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

describe('RepoLock', () => {
  const prefix = uniquePrefix('lock');
  const redis = connect();
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });

  it('lets one owner hold a repository, frees it on release or expiry, and never releases for another', async () => {
    const locks = new RepoLock(redis, prefix);
    expect(await locks.acquire('/repo/a', 'batch-1', 10_000)).toBe(true);
    expect(await locks.acquire('/repo/a', 'batch-2', 10_000)).toBe(false);
    // Another repository is independent.
    expect(await locks.acquire('/repo/b', 'batch-2', 10_000)).toBe(true);
    expect(await locks.release('/repo/a', 'batch-2')).toBe(false);
    expect(await locks.holder('/repo/a')).toBe('batch-1');
    expect(await locks.release('/repo/a', 'batch-1')).toBe(true);
    expect(await locks.acquire('/repo/a', 'batch-2', 50)).toBe(true);
    // A crashed holder's lock expires by itself (bounded wait).
    for (let i = 0; i < 50 && (await locks.holder('/repo/a')) !== null; i++) await sleep(20);
    expect(await locks.acquire('/repo/a', 'batch-3', 10_000)).toBe(true);
  });
});

describe('a fix batch for a busy repository', () => {
  const prefix = uniquePrefix('busy');
  const redis = connect();
  const dirs: string[] = [];
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    for (const d of dirs) await removeDir(d);
  });

  it('is moved back to delayed while another batch holds the lock, not failed', async () => {
    const repo = await makeRepo({ 'tsconfig.json': '{}\n', 'src/a.ts': 'export const a = 1;\n' });
    const dataDir = await tempDir();
    dirs.push(repo, dataDir);
    const sha = await git(repo, 'rev-parse', 'HEAD');
    const locks = new RepoLock(redis, prefix);
    expect(await locks.acquire(repo, 'someone-else', 60_000)).toBe(true);

    const queue = new Queue<FixJob>('fix', { connection: connect(), prefix });
    const data: FixJob = {
      runId: 'run-busy',
      repo: { path: repo },
      baseBranch: 'main',
      baseSha: sha,
      batchId: 'run-busy-b-1',
      files: [],
    };
    await queue.add('fix-batch', data, { jobId: data.batchId });
    const workerConnection = connect('worker');
    const manual = new Worker('fix', null, { connection: workerConnection, prefix });
    try {
      const job = (await manual.getNextJob('token-1')) as Job;
      expect(job.id).toBe(data.batchId);
      const processor = createFixProcessor({ runs: new RunStore(redis, prefix), dataDir, locks });
      const log = pino({ level: 'silent' });
      await expect(processor(data, { job, log, token: 'token-1' })).rejects.toMatchObject({
        name: 'DelayedError',
      });
      expect(await queue.getJobState(data.batchId)).toBe('delayed');
      // The lock is still the other batch's: a delayed batch does not release what it never held.
      expect(await locks.holder(repo)).toBe('someone-else');
    } finally {
      await manual.close();
      await workerConnection.quit();
      await queue.close();
    }
  });
});
