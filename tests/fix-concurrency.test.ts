/**
 * Batches of one repository in parallel worktrees (`fix.concurrency`), on a real fix worker
 * process, a real Redis and real git: with fix.concurrency 2, two batches of disjoint files run
 * at once (both are caught in their tests, in two worktrees, at the same time) and each commits
 * on its own branch; two batches sharing a file never run at once; with the default (1) a
 * repository still runs one batch at a time, however many the worker may run. And the verify
 * cache's files, which two batches of one commit may write at once, are written atomically.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { RunStore } from '@selfreview/shared/runs';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../services/fix/src/atomic-write.ts';
import {
  branches,
  leftoverWorktrees,
  queueFixRun,
  sources,
  startFixWorker,
  until,
  workerTestBed,
} from './helpers/fix-worker.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { testRedisUrl, uniquePrefix } from './helpers/redis.ts';

describe('fix batches of one repository in parallel', () => {
  const { redis, prefixes, dirs, workers, queues, cleanUp } = workerTestBed();
  afterAll(cleanUp);

  /**
   * A repository whose batches wait in their tests until released, with `concurrency` as its
   * fix.concurrency (unset: the default), `batches` queued (each a list of files) and a fix
   * worker that may run two batches at once.
   */
  async function setUp(name: string, concurrency: number | undefined, batches: string[][]) {
    const scratch = await tempDir();
    const dataDir = await tempDir();
    const src = sources(scratch);
    src['selfreview.config.json'] = JSON.stringify({
      fix: { ...(concurrency ? { concurrency } : {}), test: { command: ['node', 'test/wait.cjs'] } },
    });
    const repo = await makeRepo(src);
    dirs.push(scratch, dataDir, repo);
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    const runs = new RunStore(redis, prefix);
    const lifecycle = new RunLifecycle(redis, prefix);
    const queue = new Queue('fix', { connection: redis, prefix });
    queues.push(queue);
    const runId = `run-${name}`;
    await queueFixRun({ redis, prefix, queue, repo, runId, sources: src, batches });
    const worker = startFixWorker({
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_JOB_LOCK_SECONDS: '5',
      SELFREVIEW_FIX_CONCURRENCY: '2',
      // The fixture's tests signal through files outside their worktree, which the sandbox
      // for repository code hides: tests/security-sandbox.test.ts covers the sandbox.
      SELFREVIEW_SANDBOX: 'off',
    });
    workers.push(worker);
    const started = path.join(scratch, 'started');
    return {
      repo,
      dataDir,
      runs,
      runId,
      worker,
      /** The batches caught in their tests so far. */
      inTests: async () => (existsSync(started) ? (await readdir(started)).sort() : []),
      /** When a batch reached its tests. */
      startedAt: async (batchId: string) => (await stat(path.join(started, batchId))).mtimeMs,
      release: () => writeFile(path.join(scratch, 'release'), ''),
      drained: () =>
        until('the run to drain', async () => (await lifecycle.progress(runId)).open.fix === 0, 180_000),
    };
  }

  it('runs two batches of disjoint files at once with fix.concurrency 2, each committed on its own branch', async () => {
    const t = await setUp('parallel', 2, [['src/a.ts'], ['src/b.ts']]);
    await until('both batches to reach their tests', async () => (await t.inTests()).length === 2, 180_000);
    // Both are in their tests at the same time, each in its own worktree.
    expect(await t.inTests()).toEqual([`${t.runId}-b-1`, `${t.runId}-b-2`]);
    expect((await leftoverWorktrees(t.dataDir)).filter((p) => !p.endsWith('.owner'))).toHaveLength(2);
    expect((await git(t.repo, 'worktree', 'list')).split('\n')).toHaveLength(3);
    await t.release();
    await t.drained();

    const results = await t.runs.fixResults(t.runId);
    expect(results.map((r) => [r.file, r.status]).sort()).toEqual([
      ['src/a.ts', 'committed'],
      ['src/b.ts', 'committed'],
    ]);
    const made = await branches(t.repo);
    expect(made.map((b) => [b.commits, b.files])).toEqual(
      expect.arrayContaining([
        [1, ['src/a.ts']],
        [1, ['src/b.ts']],
      ]),
    );
    expect(made).toHaveLength(2);
    expect((await git(t.repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    expect(await leftoverWorktrees(t.dataDir)).toEqual([]);
    expect(await git(t.repo, 'status', '--porcelain')).toBe('');
    // No branch note left behind by a refused config lock: one section per branch that exists.
    const notes = (await git(t.repo, 'config', '--get-regexp', '^branch\\.selfreview/')).split('\n');
    expect(new Set(notes.map((l) => l.split('.selfreview-')[0]))).toEqual(
      new Set(made.map((b) => `branch.${b.name}`)),
    );
    expect(t.worker.output()).not.toContain('repository busy');
    // Each batch says where its time went, step by step, in the order the steps ran.
    const stepLines = t.worker
      .output()
      .split('\n')
      .filter((l) => l.includes('"batch step times"'))
      .map((l) => JSON.parse(l) as { stepsMs: Record<string, number> });
    expect(stepLines).toHaveLength(2);
    for (const { stepsMs } of stepLines) {
      expect(Object.keys(stepsMs)).toEqual([
        'worktree',
        'ready',
        'edit',
        'typecheck',
        'tests',
        'gates',
        'commit',
        'cleanup',
      ]);
      for (const ms of Object.values(stepsMs)) expect(Number.isInteger(ms) && ms >= 0).toBe(true);
    }
  }, 300_000);

  it('never runs two batches sharing a file at once, even with a slot free', async () => {
    const t = await setUp('shared-file', 2, [
      ['src/a.ts', 'src/b.ts'],
      ['src/b.ts', 'src/c.ts'],
    ]);
    await until('a batch to reach its tests', async () => (await t.inTests()).length === 1, 180_000);
    const [first] = await t.inTests();
    // The other is tried (the worker runs two at once) and delayed, not run and not failed.
    await until('the other batch to be delayed', () => t.worker.output().includes('repository busy'), 60_000);
    await sleep(3_000);
    expect(await t.inTests()).toEqual([first]);
    const releasedAt = Date.now();
    await t.release();
    await t.drained();
    const second = (await t.inTests()).find((b) => b !== first) as string;
    expect(second).toBeDefined();
    expect(await t.startedAt(second)).toBeGreaterThanOrEqual(releasedAt - 1_000);

    const results = await t.runs.fixResults(t.runId);
    expect(results.map((r) => [r.file, r.status]).sort()).toEqual([
      ['src/a.ts', 'committed'],
      ['src/b.ts', 'committed'],
      ['src/b.ts', 'committed'],
      ['src/c.ts', 'committed'],
    ]);
    const made = await branches(t.repo);
    expect(made.map((b) => b.files.sort()).sort()).toEqual([
      ['src/a.ts', 'src/b.ts'],
      ['src/b.ts', 'src/c.ts'],
    ]);
    expect(await leftoverWorktrees(t.dataDir)).toEqual([]);
  }, 300_000);

  it('runs one batch of a repository at a time with the default fix.concurrency, as before', async () => {
    const t = await setUp('one-at-a-time', undefined, [['src/a.ts'], ['src/b.ts']]);
    await until('a batch to reach its tests', async () => (await t.inTests()).length === 1, 180_000);
    const [first] = await t.inTests();
    await until('the other batch to be delayed', () => t.worker.output().includes('repository busy'), 60_000);
    await sleep(3_000);
    expect(await t.inTests()).toEqual([first]);
    const releasedAt = Date.now();
    await t.release();
    await t.drained();
    const second = (await t.inTests()).find((b) => b !== first) as string;
    expect(await t.startedAt(second)).toBeGreaterThanOrEqual(releasedAt - 1_000);
    const results = await t.runs.fixResults(t.runId);
    expect(results.map((r) => [r.file, r.status]).sort()).toEqual([
      ['src/a.ts', 'committed'],
      ['src/b.ts', 'committed'],
    ]);
    expect((await branches(t.repo)).map((b) => b.commits)).toEqual([1, 1]);
    expect(await leftoverWorktrees(t.dataDir)).toEqual([]);
  }, 300_000);
});

describe('the verify cache written by batches at once', () => {
  it('never leaves half a file or a temporary file, even for writes of one process in the same millisecond', async () => {
    const dir = await tempDir();
    try {
      const file = path.join(dir, 'verify-cache', 'repo', 'key.json');
      const values = Array.from({ length: 40 }, (_, i) =>
        JSON.stringify({ writer: i, pad: 'x'.repeat(20_000 + i) }),
      );
      await Promise.all(values.map((v) => writeFileAtomic(file, v)));
      expect(values).toContain(await readFile(file, 'utf8'));
      expect(await readdir(path.dirname(file))).toEqual(['key.json']);
    } finally {
      await removeDir(dir);
    }
  });
});
