/**
 * Faults met by fix workers, injected on real processes, a real Redis and real git:
 * - a worker SIGKILLed mid-batch: the batch's retry recognises the branch its dead attempt
 *   made, takes over the repository lock at once, and commits exactly once;
 * - two runs (two Redis prefixes, as two `selfreview run`s with their own Redis) sharing one
 *   data folder and one repository: neither removes the other's live worktree;
 * - a worker SIGKILLed with two batches of one repository in flight (fix.concurrency 2): the
 *   next worker takes over both slots and their files at once and commits each batch once.
 * Each ends with no empty `selfreview/*` branch and no worktree left.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { RunStore } from '@selfreview/shared/runs';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import {
  branches,
  leftoverWorktrees,
  oneFileBatch,
  queueFixRun,
  sources,
  startFixWorker,
  until,
  workerTestBed,
} from './helpers/fix-worker.ts';
import { git, makeRepo, tempDir } from './helpers/git.ts';
import { testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const LOCK_SECONDS = 2;

describe('fix worker faults on real processes', () => {
  const { redis, prefixes, dirs, workers, queues, cleanUp } = workerTestBed();
  afterAll(cleanUp);

  function workerEnv(prefix: string, dataDir: string, fixConcurrency = 1): Record<string, string> {
    return {
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_JOB_LOCK_SECONDS: String(LOCK_SECONDS),
      // One batch at a time unless a test says otherwise (the default follows the cores).
      SELFREVIEW_FIX_CONCURRENCY: String(fixConcurrency),
      // The fixture's tests signal through files outside their worktree (and by host pid),
      // which the sandbox for repository code hides: tests/security-sandbox.test.ts covers it.
      SELFREVIEW_SANDBOX: 'off',
    };
  }

  it('a batch whose worker was SIGKILLed mid-way is finished by the next worker: one commit, no empty branch, no worktree left', async () => {
    const scratch = await tempDir();
    const dataDir = await tempDir();
    const started = path.join(scratch, 'started');
    const src = sources(scratch);
    const repo = await makeRepo(src);
    dirs.push(scratch, dataDir, repo);
    const prefix = uniquePrefix('fault-kill');
    prefixes.push(prefix);
    const runs = new RunStore(redis, prefix);
    const lifecycle = new RunLifecycle(redis, prefix);
    const queue = new Queue('fix', { connection: redis, prefix });
    queues.push(queue);
    const runId = 'run-kill';
    await queueFixRun({
      redis,
      prefix,
      queue,
      repo,
      runId,
      sources: src,
      batches: [['src/a.ts'], ['src/b.ts']],
      jobOptions: { attempts: 3 },
    });

    const first = startFixWorker(workerEnv(prefix, dataDir));
    workers.push(first);
    // Caught in its tests: the worktree and the branch exist, the repository lock is held.
    await until('the first batch to reach its tests', () => existsSync(started), 120_000);
    const [inFlight] = await readdir(started);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    await writeFile(path.join(scratch, 'release'), '');
    expect(inFlight).toMatch(/^run-kill-b-[12]$/);
    const left = await branches(repo);
    expect(left).toHaveLength(1);
    expect(left[0]?.commits).toBe(0);

    const second = startFixWorker(workerEnv(prefix, dataDir));
    workers.push(second);
    await until('the run to drain', async () => (await lifecycle.progress(runId)).open.fix === 0, 120_000);
    const recoveredMs = Date.now() - killedAt;

    const results = await runs.fixResults(runId);
    expect(results.map((r) => [r.file, r.status]).sort()).toEqual([
      ['src/a.ts', 'committed'],
      ['src/b.ts', 'committed'],
    ]);
    const made = await branches(repo);
    expect(made).toHaveLength(2);
    for (const b of made) {
      expect(b.commits).toBe(1);
      expect(b.files).toHaveLength(1);
    }
    expect(new Set(made.flatMap((b) => b.files))).toEqual(new Set(['src/a.ts', 'src/b.ts']));
    expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    expect(await leftoverWorktrees(dataDir)).toEqual([]);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
    // The retry did not wait out the dead worker's repository lock (20 s), nor fail on its branch.
    expect(second.output()).not.toContain('repository busy');
    expect(second.output()).not.toContain('already exists');
    console.log(
      `killed mid-batch: run drained ${(recoveredMs / 1000).toFixed(1)} s after the kill (job lock ${LOCK_SECONDS} s; a new worker's start-up and two batches)`,
    );
  }, 240_000);

  it('a worker SIGKILLed with two batches of one repository in flight frees both slots at once: the next worker commits each once', async () => {
    const scratch = await tempDir();
    const dataDir = await tempDir();
    const started = path.join(scratch, 'started');
    const src = sources(scratch);
    src['selfreview.config.json'] = JSON.stringify({
      fix: { concurrency: 2, test: { command: ['node', 'test/wait.cjs'] } },
    });
    const repo = await makeRepo(src);
    dirs.push(scratch, dataDir, repo);
    const prefix = uniquePrefix('fault-kill-two');
    prefixes.push(prefix);
    const runs = new RunStore(redis, prefix);
    const lifecycle = new RunLifecycle(redis, prefix);
    const queue = new Queue('fix', { connection: redis, prefix });
    queues.push(queue);
    const runId = 'run-kill-two';
    await queueFixRun({
      redis,
      prefix,
      queue,
      repo,
      runId,
      sources: src,
      batches: [['src/a.ts'], ['src/b.ts']],
      jobOptions: { attempts: 3 },
    });

    const first = startFixWorker(workerEnv(prefix, dataDir, 2));
    workers.push(first);
    // Both batches in their tests at once: two slots and two files held by one process.
    await until(
      'both batches to reach their tests',
      async () => existsSync(started) && (await readdir(started)).length === 2,
      180_000,
    );
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    await writeFile(path.join(scratch, 'release'), '');
    expect((await branches(repo)).map((b) => b.commits)).toEqual([0, 0]);

    const second = startFixWorker(workerEnv(prefix, dataDir, 2));
    workers.push(second);
    await until('the run to drain', async () => (await lifecycle.progress(runId)).open.fix === 0, 180_000);
    const recoveredMs = Date.now() - killedAt;

    const results = await runs.fixResults(runId);
    expect(results.map((r) => [r.file, r.status]).sort()).toEqual([
      ['src/a.ts', 'committed'],
      ['src/b.ts', 'committed'],
    ]);
    const made = await branches(repo);
    expect(made.map((b) => b.commits)).toEqual([1, 1]);
    expect(made.flatMap((b) => b.files).sort()).toEqual(['src/a.ts', 'src/b.ts']);
    expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    expect(await leftoverWorktrees(dataDir)).toEqual([]);
    // Neither retry waited out the dead worker's slots or files (20 s): it took them over.
    expect(second.output()).not.toContain('repository busy');
    console.log(
      `killed with two batches in flight: run drained ${(recoveredMs / 1000).toFixed(1)} s after the kill (job lock ${LOCK_SECONDS} s)`,
    );
  }, 300_000);

  it('two runs sharing a data folder and a repository leave each other’s live worktrees alone', async () => {
    const scratch = await tempDir();
    const dataDir = await tempDir();
    const started = path.join(scratch, 'started');
    const src = sources(scratch);
    const repo = await makeRepo(src);
    dirs.push(scratch, dataDir, repo);
    const baseSha = await git(repo, 'rev-parse', 'HEAD');
    const runIds = ['run-one', 'run-two'];
    const setups = runIds.map((runId, i) => {
      const prefix = uniquePrefix(`fault-share-${i}`);
      prefixes.push(prefix);
      const queue = new Queue('fix', { connection: redis, prefix });
      queues.push(queue);
      return {
        runId,
        prefix,
        runs: new RunStore(redis, prefix),
        lifecycle: new RunLifecycle(redis, prefix),
        queue,
      };
    });
    for (const [i, s] of setups.entries()) {
      await s.runs.create({
        runId: s.runId,
        repoPath: repo,
        baseBranch: 'main',
        baseSha,
        startedAt: new Date().toISOString(),
      });
      const job = oneFileBatch(src, ['src/a.ts', 'src/c.ts'][i] as string, {
        runId: s.runId,
        repo,
        baseSha,
        batchId: `${s.runId}-b-1`,
      });
      await s.lifecycle.openJobs(s.runId, 'fix', [job.batchId]);
      await s.queue.add('fix-batch', job, { jobId: job.batchId });
    }

    const [one, two] = setups as [(typeof setups)[0], (typeof setups)[0]];
    const firstWorker = startFixWorker(workerEnv(one.prefix, dataDir));
    workers.push(firstWorker);
    await until('run one to reach its tests', () => existsSync(path.join(started, 'run-one-b-1')), 120_000);
    const liveWorktree = (await leftoverWorktrees(dataDir)).find((p) => p.endsWith('/run-one-b-1'));
    expect(liveWorktree).toBeDefined();

    // The second run's worker starts (and cleans up after crashed workers) while run one's batch is live.
    const secondWorker = startFixWorker(workerEnv(two.prefix, dataDir));
    workers.push(secondWorker);
    await until(
      'the second worker to be ready',
      () => secondWorker.output().includes('worker ready'),
      60_000,
    );
    expect(existsSync(path.join(dataDir, 'worktrees', liveWorktree as string))).toBe(true);
    await writeFile(path.join(scratch, 'release'), '');

    for (const s of setups) {
      await until(
        `${s.runId} to drain`,
        async () => (await s.lifecycle.progress(s.runId)).open.fix === 0,
        120_000,
      );
    }
    for (const s of setups) {
      const results = await s.runs.fixResults(s.runId);
      expect(results.map((r) => r.status)).toEqual(['committed']);
    }
    const made = await branches(repo);
    expect(made.map((b) => b.commits)).toEqual([1, 1]);
    expect(made.flatMap((b) => b.files).sort()).toEqual(['src/a.ts', 'src/c.ts']);
    expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    expect(await leftoverWorktrees(dataDir)).toEqual([]);
    // Both batches ran their tests once each: neither was torn down and re-run.
    expect((await readdir(started)).sort()).toEqual(['run-one-b-1', 'run-two-b-1']);
    const readPid = async (name: string) => Number(await readFile(path.join(started, name), 'utf8'));
    expect(await readPid('run-one-b-1')).toBeGreaterThan(0);
  }, 240_000);
});
