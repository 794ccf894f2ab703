/**
 * Redis restarted without persistence while a run is in its fix stage (an operator's restart
 * of a Redis with neither AOF nor RDB): the run is not silently gone. The fix worker's batch in
 * flight finishes and records the run as lost with its branch; the scan worker, comparing its
 * journal of runs with Redis, records the run as lost too or, when the fix worker was first,
 * finds it recorded, and says so either way; `/api/runs`' source lists it with the reason and
 * the branches. Real redis-server, real worker processes, real git.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { freePort } from '@selfreview/shared/redis-server';
import { LOST_RUN_REASON, RunJournal } from '@selfreview/shared/run-journal';
import { RunStore } from '@selfreview/shared/runs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  branches,
  leftoverWorktrees,
  oneFileBatch,
  sources,
  startFixWorker,
  startWorkerProcess,
  until,
  type WorkerProc,
} from './helpers/fix-worker.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { type OwnRedis, startRedisServer } from './helpers/redis-server.ts';

describe('Redis restarted without persistence during a run', () => {
  const dirs: string[] = [];
  const procs: WorkerProc[] = [];
  let server: OwnRedis | null = null;
  afterAll(async () => {
    for (const p of procs)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await server?.stop('SIGKILL');
    for (const d of dirs) await removeDir(d);
  });

  it('the run is recorded as lost, with the branch its batch in flight committed; nothing left behind', async () => {
    const scratch = await tempDir();
    const dataDir = await tempDir();
    const redisDir = await tempDir();
    const src = sources(scratch);
    const repo = await makeRepo(src);
    dirs.push(scratch, dataDir, redisDir, repo);
    const port = await freePort();
    server = await startRedisServer({ port, dir: redisDir, aof: false });
    const url = server.url;
    const env = {
      REDIS_URL: url,
      SELFREVIEW_PREFIX: 'lost',
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_JOB_LOCK_SECONDS: '2',
      // The restart is the point of the test: no persistence on purpose.
      SELFREVIEW_REDIS_CHECK: 'warn',
      // The fixture's tests signal through files outside their worktree, which the sandbox hides.
      SELFREVIEW_SANDBOX: 'off',
    };

    // A run as the trigger makes one: in Redis and in the scan worker's journal.
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    redis.on('error', () => {});
    const runs = new RunStore(redis, 'lost');
    const baseSha = await git(repo, 'rev-parse', 'HEAD');
    const runId = '20261202-030000-abcdef';
    const meta = { runId, repoPath: repo, baseBranch: 'main', baseSha, startedAt: new Date().toISOString() };
    await runs.create(meta);
    await new RunJournal(dataDir).record(meta);
    const jobs = ['src/a.ts', 'src/b.ts'].map((file, i) =>
      oneFileBatch(src, file, { runId, repo, baseSha, batchId: `${runId}-b-${i + 1}` }),
    );
    await new RunLifecycle(redis, 'lost').openJobs(
      runId,
      'fix',
      jobs.map((j) => j.batchId),
    );
    const queue = new Queue('fix', { connection: redis, prefix: 'lost' });
    for (const j of jobs) await queue.add('fix-batch', j, { jobId: j.batchId });

    const fix = startFixWorker(env);
    procs.push(fix);
    const scan = startWorkerProcess('scan', env);
    procs.push(scan);
    await until('the scan worker to be ready', () => scan.output().includes('worker ready'), 60_000);

    const started = path.join(scratch, 'started');
    await until('the first batch to reach its tests', () => existsSync(started), 120_000);
    // The restart: everything in Redis is gone (the second batch's job with it).
    await queue.close();
    redis.disconnect();
    await server.stop('SIGKILL');
    server = await startRedisServer({ port, dir: redisDir, aof: false });
    await writeFile(path.join(scratch, 'release'), '');

    const after = new Redis(url, { maxRetriesPerRequest: null });
    try {
      const store = new RunStore(after, 'lost');
      // The scan worker may record the run as lost (with the branch, read from git) before the
      // fix worker has written its batch's result, so wait for both.
      await until(
        'the run to be recorded as lost with its branch',
        async () => (await store.errors(runId)).some((e) => e.startsWith('branch selfreview/')),
        120_000,
      );
      await until(
        'the batch in flight to record its result',
        async () => (await store.fixResults(runId)).length > 0,
        60_000,
      );
      await until('the scan worker to notice the lost run', () => scan.output().includes(runId), 60_000);
      expect(await store.recentRuns()).toContain(runId);
      const recorded = await store.meta(runId);
      expect(recorded).toMatchObject({ repoPath: repo, baseSha, lost: LOST_RUN_REASON });
      const made = await branches(repo);
      expect(made).toHaveLength(1);
      expect(made[0]?.commits).toBe(1);
      expect(await store.errors(runId)).toContain(
        `branch ${made[0]?.name} was made by this run before its state was lost`,
      );
      // The batch in flight wrote its result into the recorded run: the report names its file.
      expect((await store.fixResults(runId)).map((r) => [r.file, r.status])).toContainEqual([
        expect.stringMatching(/^src\/[ab]\.ts$/),
        'committed',
      ]);
      await until(
        'the worktree to be removed',
        async () => (await leftoverWorktrees(dataDir)).length === 0,
        30_000,
      );
      expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
      // Both workers came through the restart.
      expect(fix.child.exitCode).toBeNull();
      expect(scan.child.exitCode).toBeNull();
    } catch (err) {
      // What the workers said is the first thing to read when this fails.
      console.log(`fix worker:\n${fix.output().slice(-6000)}\nscan worker:\n${scan.output().slice(-3000)}`);
      throw err;
    } finally {
      after.disconnect();
    }
  }, 300_000);
});
