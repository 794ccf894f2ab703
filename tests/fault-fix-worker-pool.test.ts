/**
 * The fix worker's kept worktrees (SELFREVIEW_FIX_KEPT_WORKTREES, default 2) on real processes,
 * a real Redis and real git: batches of one commit share one worktree, reset between them, each
 * branch with only its own change; a worker stopped with SIGTERM removes what it kept; one
 * SIGKILLed leaves its kept worktree, and the next worker removes it before taking a batch.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { RunStore } from '@selfreview/shared/runs';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import {
  branches,
  leftoverWorktrees,
  queueFixRun,
  sources,
  startWorkerProcess,
  until,
  workerTestBed,
} from './helpers/fix-worker.ts';
import { git, makeRepo, tempDir } from './helpers/git.ts';
import { testRedisUrl, uniquePrefix } from './helpers/redis.ts';

describe('fix worker keeping worktrees between batches', () => {
  const { redis, prefixes, dirs, workers, queues, cleanUp } = workerTestBed();
  afterAll(cleanUp);

  it('shares one worktree between batches of a commit, removes it on SIGTERM, and a SIGKILLed worker’s is removed by the next', async () => {
    const scratch = await tempDir();
    const dataDir = await tempDir();
    const src = sources(scratch);
    // The fixture's tests wait for this file: let them through at once.
    await writeFile(path.join(scratch, 'release'), '');
    const repo = await makeRepo(src);
    dirs.push(scratch, dataDir, repo);
    const base = await git(repo, 'rev-parse', 'HEAD');
    const prefix = uniquePrefix('kept-worktrees');
    prefixes.push(prefix);
    const runs = new RunStore(redis, prefix);
    const lifecycle = new RunLifecycle(redis, prefix);
    const queue = new Queue('fix', { connection: redis, prefix });
    queues.push(queue);
    // The default (2 kept per repository): startWorkerProcess, not startFixWorker, which turns it off.
    const env = {
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_FIX_CONCURRENCY: '1',
      // The fixture's tests write outside their worktree, which the sandbox hides.
      SELFREVIEW_SANDBOX: 'off',
    };
    const runAndDrain = async (runId: string, batches: string[][]) => {
      await queueFixRun({ redis, prefix, queue, repo, runId, sources: src, batches });
      await until(`${runId} to drain`, async () => (await lifecycle.progress(runId)).open.fix === 0, 120_000);
      return runs.fixResults(runId);
    };
    const keptWorktrees = async () =>
      (await git(repo, 'worktree', 'list', '--porcelain')).match(/^worktree /gm)?.length ?? 0;

    const first = startWorkerProcess('fix', env);
    workers.push(first);
    const results = await runAndDrain('run-kept-1', [['src/a.ts'], ['src/b.ts']]);
    expect(results.map((r) => [r.file, r.status]).sort()).toEqual([
      ['src/a.ts', 'committed'],
      ['src/b.ts', 'committed'],
    ]);
    // Two batches, one worktree: the second took the first's, reset to the base.
    const made = await branches(repo);
    expect(made.map((b) => [b.commits, b.files]).sort()).toEqual([
      [1, ['src/a.ts']],
      [1, ['src/b.ts']],
    ]);
    expect(await keptWorktrees()).toBe(2);
    const left = await leftoverWorktrees(dataDir);
    expect(left).toHaveLength(2);
    expect(left.every((p) => path.basename(p).startsWith('pool-run-kept-1-b-1'))).toBe(true);
    const keptDir = path.join(dataDir, 'worktrees', left.find((p) => !p.endsWith('.owner')) as string);
    expect(await git(keptDir, 'rev-parse', 'HEAD')).toBe(base);
    expect(await git(keptDir, 'status', '--porcelain')).toBe('');

    // Stopped as an orchestrator stops it: what it kept goes with it.
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await keptWorktrees()).toBe(1);
    expect(await leftoverWorktrees(dataDir)).toEqual([]);

    const second = startWorkerProcess('fix', env);
    workers.push(second);
    expect((await runAndDrain('run-kept-2', [['src/c.ts']])).map((r) => r.status)).toEqual(['committed']);
    expect(await keptWorktrees()).toBe(2);
    second.child.kill('SIGKILL');
    await second.exited;
    // Killed: nothing removed its worktree, whose owner is now gone.
    expect(await keptWorktrees()).toBe(2);

    const third = startWorkerProcess('fix', env);
    workers.push(third);
    await until('the next worker to be ready', () => third.output().includes('worker ready'), 60_000);
    expect(third.output()).toContain('removed stale worktrees');
    expect(await keptWorktrees()).toBe(1);
    expect(await leftoverWorktrees(dataDir)).toEqual([]);
    expect(await git(repo, 'status', '--porcelain')).toBe('');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 240_000);
});
