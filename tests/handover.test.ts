/**
 * The hand-over from apply to fix with a real BullMQ queue: deterministic batch
 * ids, at most `maxFiles` files per batch, every batch opened in the run before
 * it is enqueued, and a repeated hand-over (after a crash) neither duplicates
 * jobs nor reopens batches that already ran.
 */
import { handOverToFix, RunLifecycle } from '@selfreview/shared/coordinator';
import { type FixJob, FixJob as FixJobSchema } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { createQueue } from '@selfreview/shared/worker';
import { type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixItem, runTarget, startedRun, unusedImport } from './helpers/factories.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const RUN_ID = 'r1-abc';
const RUN = runTarget(RUN_ID, '/tmp/selfreview-repo');
const FILES = ['src/e.ts', 'src/a.ts', 'lib/c.ts', 'src/b.ts', 'lib/d.ts'];
const SORTED = [...FILES].sort();
const BATCH_IDS = [`${RUN_ID}-b-1`, `${RUN_ID}-b-2`, `${RUN_ID}-b-3`];

const item = (file: string) => fixItem(unusedImport(file, 'x', { from: './x' }));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let prefix: string;
let redis: Redis;
let queueConnection: Redis;
let runs: RunStore;
let lifecycle: RunLifecycle;
let fixQueue: Queue<FixJob>;
const closers: (() => Promise<unknown>)[] = [];

async function openFix(): Promise<string[]> {
  return (await redis.smembers(`${prefix}:run:{${RUN_ID}}:open:fix`)).sort();
}

async function jobCount(): Promise<number> {
  const counts = await fixQueue.getJobCounts(
    'waiting',
    'active',
    'delayed',
    'prioritized',
    'completed',
    'failed',
  );
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** As the last scan/apply job does: claim the hand-over, then hand over. */
async function claimAndHandOver(): Promise<number> {
  await lifecycle.openJobs(RUN_ID, 'apply', ['apply-last']);
  expect(await lifecycle.closeAndClaimHandOver(RUN_ID, 'apply', 'apply-last')).toBe(true);
  expect((await lifecycle.progress(RUN_ID)).flushing).toBe(true);
  return handOverToFix({ runs, lifecycle, fixQueue }, RUN, 2);
}

beforeEach(async () => {
  prefix = uniquePrefix('handover');
  redis = connect('producer');
  queueConnection = connect('worker');
  runs = new RunStore(redis, prefix);
  lifecycle = new RunLifecycle(redis, prefix);
  fixQueue = createQueue('fix', queueConnection, prefix);
  // Closed in reverse order of opening.
  closers.push(
    () => queueConnection.quit(),
    () => fixQueue.close(),
  );
  await runs.create(startedRun(RUN));
  for (const file of FILES) await runs.putFixable(RUN_ID, file, [item(file)]);
});

afterEach(async () => {
  // Workers and the queue first, so nothing writes under the prefix while it is cleaned.
  for (const close of closers.splice(0).reverse()) await close();
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe('handOverToFix', () => {
  it('enqueues batches of at most maxFiles files, each opened in the run', async () => {
    expect(await claimAndHandOver()).toBe(3);

    const jobs = await Promise.all(BATCH_IDS.map((id) => fixQueue.getJob(id)));
    const files: string[] = [];
    for (const [i, job] of jobs.entries()) {
      expect(job, BATCH_IDS[i]).toBeDefined();
      expect(job!.id).toBe(BATCH_IDS[i]);
      expect(job!.name).toBe('fix-batch');
      const data = FixJobSchema.parse(job!.data);
      expect(data).toMatchObject({ ...RUN, batchId: BATCH_IDS[i] });
      expect(data.files.length).toBeGreaterThan(0);
      expect(data.files.length).toBeLessThanOrEqual(2);
      for (const f of data.files) expect(f.items).toEqual([item(f.file)]);
      files.push(...data.files.map((f) => f.file));
      // The queue's default options (retries, bounded retention) apply to these jobs.
      expect(job!.opts.attempts).toBe(2);
      expect(job!.opts.removeOnComplete).toBeDefined();
    }
    // Every file exactly once, in path order across the batches.
    expect(files).toEqual(SORTED);
    expect(await jobCount()).toBe(3);

    expect(await openFix()).toEqual(BATCH_IDS);
    const progress = await lifecycle.progress(RUN_ID);
    expect(progress.open.fix).toBe(3);
    expect(progress.flushing).toBe(false);
    expect(RunLifecycle.isDrained(progress)).toBe(false);
    expect((await runs.meta(RUN_ID))?.fixBatches).toBe('3');
  });

  it('a second hand-over adds no duplicate jobs', async () => {
    expect(await claimAndHandOver()).toBe(3);
    expect(await claimAndHandOver()).toBe(3);
    expect(await jobCount()).toBe(3);
    expect(await fixQueue.getWaitingCount()).toBe(3);
    expect(await openFix()).toEqual(BATCH_IDS);
    expect((await runs.meta(RUN_ID))?.fixBatches).toBe('3');
    expect((await lifecycle.progress(RUN_ID)).flushing).toBe(false);
  });

  it('nothing fixable: no jobs, and the run drains', async () => {
    for (const file of FILES) await runs.putFixable(RUN_ID, file, []);
    expect(await claimAndHandOver()).toBe(0);
    expect(await jobCount()).toBe(0);
    expect(await openFix()).toEqual([]);
    expect((await runs.meta(RUN_ID))?.fixBatches).toBe('0');
    expect(RunLifecycle.isDrained(await lifecycle.progress(RUN_ID))).toBe(true);
  });

  it('batches whose job already completed or failed are not reopened', async () => {
    expect(await claimAndHandOver()).toBe(3);

    // A worker without a processor, driven by hand: b-1 completes, b-2 fails for good.
    const manualConnection = connect('worker');
    const manual = new Worker('fix', null, { connection: manualConnection, prefix });
    closers.push(async () => {
      await manual.close();
      await manualConnection.quit();
    });
    const first = await manual.getNextJob('token-1');
    expect(first?.id).toBe(BATCH_IDS[0]);
    await first!.moveToCompleted('done', 'token-1', false);
    const second = await manual.getNextJob('token-2');
    expect(second?.id).toBe(BATCH_IDS[1]);
    await second!.moveToFailed(new UnrecoverableError('broken'), 'token-2', false);
    expect(await (await fixQueue.getJob(BATCH_IDS[0]!))!.isCompleted()).toBe(true);
    expect(await (await fixQueue.getJob(BATCH_IDS[1]!))!.isFailed()).toBe(true);
    for (const id of BATCH_IDS.slice(0, 2)) await lifecycle.closeJob(RUN_ID, 'fix', id);
    expect(await openFix()).toEqual([BATCH_IDS[2]]);

    // A repeated hand-over reopens only the batch that has not run.
    expect(await claimAndHandOver()).toBe(3);
    expect(await openFix()).toEqual([BATCH_IDS[2]]);
    expect(await jobCount()).toBe(3);
    expect(await fixQueue.getCompletedCount()).toBe(1);
    expect(await fixQueue.getFailedCount()).toBe(1);

    // A real worker with a no-op processor runs the last batch, which then closes.
    const workerConnection = connect('worker');
    const done: string[] = [];
    const worker = new Worker('fix', async () => 'ok', { connection: workerConnection, prefix });
    closers.push(async () => {
      await worker.close();
      await workerConnection.quit();
    });
    worker.on('completed', (job) => {
      done.push(String(job.id));
    });
    await until('the last batch to complete', async () => (await fixQueue.getCompletedCount()) === 2);
    expect(done).toEqual([BATCH_IDS[2]]);
    await lifecycle.closeJob(RUN_ID, 'fix', BATCH_IDS[2]!);
    expect(RunLifecycle.isDrained(await lifecycle.progress(RUN_ID))).toBe(true);

    expect(await claimAndHandOver()).toBe(3);
    expect(await openFix()).toEqual([]);
    expect(await jobCount()).toBe(3);
    expect(await fixQueue.getWaitingCount()).toBe(0);
    expect(RunLifecycle.isDrained(await lifecycle.progress(RUN_ID))).toBe(true);
  });
});
