/**
 * At most fix.concurrency batches per repository, never two touching the same file, on a real
 * Redis and a real BullMQ queue.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFixProcessor } from '@selfreview/fix/processor';
import { RepoLock } from '@selfreview/shared/locks';
import { currentProcess } from '@selfreview/shared/process-identity';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { type Job, Queue, Worker } from 'bullmq';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { holdRepoLock } from '../services/fix/src/pipeline/repo-lock.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

describe('RepoLock', () => {
  const prefix = uniquePrefix('lock');
  const redis = connect();
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });
  const one = (ttlMs = 10_000) => ({ slots: 1, files: [], ttlMs });

  it('lets one owner hold a repository, frees it on release or expiry, and never releases for another', async () => {
    const locks = new RepoLock(redis, prefix);
    expect(await locks.acquire('/repo/a', 'batch-1', one())).toBeNull();
    expect(await locks.acquire('/repo/a', 'batch-2', one())).toEqual({ busy: 'slots' });
    // Another repository is independent.
    expect(await locks.acquire('/repo/b', 'batch-2', one())).toBeNull();
    expect(await locks.release('/repo/a', 'batch-2', [])).toBe(false);
    expect(await locks.holder('/repo/a')).toBe('batch-1');
    expect(await locks.release('/repo/a', 'batch-1', [])).toBe(true);
    expect(await locks.acquire('/repo/a', 'batch-2', one(50))).toBeNull();
    // A crashed holder's lock expires by itself (bounded wait).
    for (let i = 0; i < 50 && (await locks.holder('/repo/a')) !== null; i++) await sleep(20);
    expect(await locks.acquire('/repo/a', 'batch-3', one())).toBeNull();
  });

  it('gives a repository fix.concurrency slots, never two holders of one file, all or nothing', async () => {
    const locks = new RepoLock(redis, prefix);
    const claim = (files: string[], ttlMs = 10_000) => ({ slots: 2, files, ttlMs });
    expect(await locks.acquire('/repo/c', 'b1', claim(['src/a.ts', 'src/b.ts']))).toBeNull();
    // A second batch sharing a file waits, although a slot is free; it takes none of its files.
    expect(await locks.acquire('/repo/c', 'b2', claim(['src/c.ts', 'src/b.ts']))).toEqual({
      busy: 'files',
      holder: 'b1',
    });
    expect((await locks.holders('/repo/c', ['src/c.ts'])).files).toEqual([null]);
    // Disjoint files: the second slot.
    expect(await locks.acquire('/repo/c', 'b2', claim(['src/c.ts']))).toBeNull();
    // Disjoint files again, but both slots are taken.
    expect(await locks.acquire('/repo/c', 'b3', claim(['src/d.ts']))).toEqual({ busy: 'slots' });
    expect((await locks.holders('/repo/c', ['src/a.ts', 'src/d.ts'])).files).toEqual(['b1', null]);
    // Renewal holds only while the holder still has all it claimed.
    expect(await locks.renew('/repo/c', 'b1', ['src/a.ts', 'src/b.ts'], 10_000)).toBe(true);
    expect(await locks.renew('/repo/c', 'b1', ['src/c.ts'], 10_000)).toBe(false);
    // A holder known to be gone is replaced at once: its slot and its files.
    expect(await locks.acquire('/repo/c', 'b4', claim(['src/b.ts']), ['b1'])).toBeNull();
    expect((await locks.holders('/repo/c', ['src/b.ts'])).slots.sort()).toEqual(['b2', 'b4']);
    expect(await locks.renew('/repo/c', 'b1', ['src/a.ts', 'src/b.ts'], 10_000)).toBe(false);
    // Release gives back only what its owner still holds.
    expect(await locks.release('/repo/c', 'b1', ['src/a.ts', 'src/b.ts'])).toBe(false);
    expect((await locks.holders('/repo/c', ['src/b.ts'])).files).toEqual(['b4']);
    expect(await locks.release('/repo/c', 'b4', ['src/b.ts'])).toBe(true);
    expect(await locks.release('/repo/c', 'b2', ['src/c.ts'])).toBe(true);
    expect(await locks.holders('/repo/c', ['src/a.ts', 'src/b.ts', 'src/c.ts'])).toEqual({
      slots: [],
      // b1 had lost its slot and src/b.ts, but still held src/a.ts: that went with its release.
      files: [null, null, null],
    });
  });

  it("frees a slot and files whose holder stopped renewing within the expiry, and a dead local process's at once", async () => {
    const locks = new RepoLock(redis, prefix);
    const log = pino({ level: 'silent' });
    // Another host's holder: nothing here can tell whether it lives, so only the expiry frees it.
    const elsewhere = `other-batch:t@${JSON.stringify({ pid: 1, startTicks: '1', bootId: 'x', host: 'another-host' })}`;
    expect(
      await locks.acquire('/repo/d', elsewhere, { slots: 1, files: ['src/a.ts'], ttlMs: 300 }),
    ).toBeNull();
    const claim = { slots: 1, files: ['src/a.ts'] };
    expect(await holdRepoLock(locks, '/repo/d', 'mine', 't1', log, claim)).toBeNull();
    const waited = Date.now();
    let held = null;
    while (!held && Date.now() - waited < 5_000) {
      await sleep(50);
      held = await holdRepoLock(locks, '/repo/d', 'mine', 't1', log, claim);
    }
    expect(held).not.toBeNull();
    expect(Date.now() - waited).toBeLessThan(2_000);
    await held?.release();

    // A process of this host that is gone: taken over without waiting for the expiry.
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const gone = `dead-batch:t@${JSON.stringify({ ...currentProcess(), pid: Number(dead.stdout.trim()) })}`;
    expect(await locks.acquire('/repo/d', gone, { slots: 1, files: ['src/a.ts'], ttlMs: 60_000 })).toBeNull();
    const taken = await holdRepoLock(locks, '/repo/d', 'mine', 't2', log, claim);
    expect(taken).not.toBeNull();
    expect(await locks.holder('/repo/d')).toMatch(/^mine:t2@/);
    await taken?.release();
    expect(await locks.holder('/repo/d')).toBeNull();
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
    expect(await locks.acquire(repo, 'someone-else', { slots: 1, files: [], ttlMs: 60_000 })).toBeNull();

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
