/**
 * The run coordinator on a real Redis and real BullMQ queues: scan's hand-over to apply, the
 * close of scan and apply jobs (only the run's last one hands over to fix), a scan that failed
 * for good, the close of fix and publish jobs, and the end of a run, whose failures are logged
 * and never thrown at the job that asked. And fix's hand-over to publish: opened before it is
 * queued, once per batch, and closed again when a re-run batch's publish job had already ended.
 */
import { handOverToPublish, RunCoordinator, RunLifecycle } from '@selfreview/shared/coordinator';
import type { Logger } from '@selfreview/shared/logger';
import {
  type ApplyJob,
  applyJobId,
  type FixJob,
  type PublishJob,
  publishJobId,
} from '@selfreview/shared/queues';
import { createQueue } from '@selfreview/shared/worker';
import { type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixItem, runTarget, startedRun, unusedImport } from './helpers/factories.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const RUN_ID = 'r1-coord';
const SHA = 'c'.repeat(40);
const RUN = runTarget(RUN_ID, '/tmp/selfreview-coordinated', SHA);

let prefix: string;
let redis: Redis;
let queueConnection: Redis;
let coordinator: RunCoordinator;
let applyQueue: Queue<ApplyJob>;
let fixQueue: Queue<FixJob>;

beforeEach(async () => {
  prefix = uniquePrefix('coord');
  redis = connect('producer');
  queueConnection = connect('worker');
  coordinator = new RunCoordinator({ redis, prefix, env: {}, log: pino({ level: 'silent' }) });
  applyQueue = createQueue('apply', queueConnection, prefix);
  fixQueue = createQueue('fix', queueConnection, prefix);
  await coordinator.runs.create(startedRun(RUN));
});

afterEach(async () => {
  await applyQueue.close();
  await fixQueue.close();
  await queueConnection.quit();
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

const finishedAt = async () => (await coordinator.runs.meta(RUN_ID))?.finishedAt;

describe('RunCoordinator', () => {
  it('hands scan candidates to apply: groups of files, opened in the run before they are queued', async () => {
    const found = [
      unusedImport('src/b.ts', 'y'),
      unusedImport('src/a.ts', 'x'),
      unusedImport('src/b.ts', 'z'),
    ];
    expect(await coordinator.handOverToApply(applyQueue, RUN, found)).toBe(1);

    const id = applyJobId(RUN_ID, ['src/a.ts', 'src/b.ts']);
    const job = await applyQueue.getJob(id);
    expect(job?.name).toBe('apply-files');
    expect(job?.data).toEqual({
      ...RUN,
      files: [
        { file: 'src/a.ts', candidates: [found[1]] },
        { file: 'src/b.ts', candidates: [found[0], found[2]] },
      ],
    });
    expect(await redis.smembers(`${prefix}:run:{${RUN_ID}}:open:apply`)).toEqual([id]);
    expect((await coordinator.runs.meta(RUN_ID))?.applyJobs).toBe('1');
  });

  it('cuts many files into groups of 50, and a hand-over made again queues the same jobs once', async () => {
    const files = Array.from({ length: 120 }, (_, i) => `src/f${String(i).padStart(3, '0')}.ts`);
    const found = files.map((f) => unusedImport(f, 'x'));
    expect(await coordinator.handOverToApply(applyQueue, RUN, found)).toBe(3);
    // A scan job that crashed after its hand-over hands the same candidates over again.
    expect(await coordinator.handOverToApply(applyQueue, RUN, [...found].reverse())).toBe(3);

    const jobs = await applyQueue.getJobs(['waiting']);
    expect(jobs.map((j) => j.data.files.length).sort()).toEqual([20, 50, 50]);
    expect(jobs.flatMap((j) => j.data.files.map((f) => f.file)).sort()).toEqual(files);
    const open = await redis.smembers(`${prefix}:run:{${RUN_ID}}:open:apply`);
    expect(open.sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it('splits a failed apply job into one job per file, never reopening one that has ended', async () => {
    const job: ApplyJob = {
      ...RUN,
      files: ['src/a.ts', 'src/b.ts', 'src/c.ts'].map((file) => ({
        file,
        candidates: [unusedImport(file, 'x')],
      })),
    };
    const ids = job.files.map((f) => applyJobId(RUN_ID, [f.file]));
    expect(await coordinator.splitApplyJob(applyQueue, job)).toBe(3);
    expect((await redis.smembers(`${prefix}:run:{${RUN_ID}}:open:apply`)).sort()).toEqual([...ids].sort());
    const first = await applyQueue.getJob(ids[0]!);
    expect(first?.data).toEqual({ ...RUN, files: [job.files[0]] });

    // src/a.ts's job runs and closes; a worker that crashed during the split splits again.
    const manualConnection = connect('worker');
    const manual = new Worker('apply', null, { connection: manualConnection, prefix });
    try {
      const taken = await manual.getNextJob('token-1');
      expect(taken?.id).toBe(ids[0]);
      await taken!.moveToCompleted({}, 'token-1', false);
      await coordinator.lifecycle.closeAndClaimHandOver(RUN_ID, 'apply', ids[0]!);
    } finally {
      await manual.close();
      await manualConnection.quit();
    }
    expect(await coordinator.splitApplyJob(applyQueue, job)).toBe(3);
    expect((await redis.smembers(`${prefix}:run:{${RUN_ID}}:open:apply`)).sort()).toEqual(
      ids.slice(1).sort(),
    );
    expect(await applyQueue.getJobCounts('waiting', 'completed')).toEqual({ waiting: 2, completed: 1 });
  });

  it('only the last scan or apply job to close hands over to fix, and reads maxFiles only then', async () => {
    for (const file of ['a.ts', 'b.ts', 'c.ts'])
      await coordinator.runs.putFixable(RUN_ID, file, [fixItem(unusedImport(file, 'x'))]);
    await coordinator.lifecycle.openJobs(RUN_ID, 'apply', ['apply-1', 'apply-2']);
    let asked = 0;
    const maxFiles = async () => {
      asked++;
      return 2;
    };

    expect(
      await coordinator.closeStageJob(fixQueue, { stage: 'apply', jobId: 'apply-1', run: RUN }, maxFiles),
    ).toBe(null);
    expect(asked).toBe(0);
    expect(await fixQueue.count()).toBe(0);

    expect(
      await coordinator.closeStageJob(fixQueue, { stage: 'apply', jobId: 'apply-2', run: RUN }, maxFiles),
    ).toBe(2);
    expect(asked).toBe(1);
    expect((await fixQueue.getWaiting()).map((j) => j.id).sort()).toEqual([`${RUN_ID}-b-1`, `${RUN_ID}-b-2`]);
    const progress = await coordinator.lifecycle.progress(RUN_ID);
    expect(progress.open.fix).toBe(2);
    expect(progress.flushing).toBe(false);
    expect(await finishedAt()).toBeUndefined();
  });

  it('a hand-over with nothing to fix ends the run', async () => {
    await coordinator.lifecycle.openJobs(RUN_ID, 'scan', ['scan-1']);
    expect(await coordinator.closeStageJob(fixQueue, { stage: 'scan', jobId: 'scan-1', run: RUN }, 2)).toBe(
      0,
    );
    expect(RunLifecycle.isDrained(await coordinator.lifecycle.progress(RUN_ID))).toBe(true);
    expect(await finishedAt()).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('a scan that failed for good ends the run when it was the last open job, and only then', async () => {
    await coordinator.lifecycle.openJobs(RUN_ID, 'scan', ['scan-1']);
    await coordinator.lifecycle.openJobs(RUN_ID, 'apply', ['apply-1']);
    await coordinator.closeFailedScanJob(RUN_ID, 'scan-1');
    expect(await finishedAt()).toBeUndefined();
    expect((await coordinator.lifecycle.progress(RUN_ID)).open.scan).toBe(0);

    await redis.srem(`${prefix}:run:{${RUN_ID}}:open:apply`, 'apply-1');
    await coordinator.lifecycle.openJobs(RUN_ID, 'scan', ['scan-2']);
    await coordinator.closeFailedScanJob(RUN_ID, 'scan-2');
    const progress = await coordinator.lifecycle.progress(RUN_ID);
    expect(progress.flushing).toBe(false);
    expect(RunLifecycle.isDrained(progress)).toBe(true);
    expect(await finishedAt()).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await fixQueue.count()).toBe(0);
  });

  it('closing the last fix or publish job ends the run', async () => {
    await coordinator.lifecycle.openJobs(RUN_ID, 'fix', ['b-1']);
    await coordinator.lifecycle.openJobs(RUN_ID, 'publish', ['b-1-publish']);
    await coordinator.closeJobAndFinishRun(RUN_ID, 'fix', 'b-1');
    expect(await finishedAt()).toBeUndefined();
    await coordinator.closeJobAndFinishRun(RUN_ID, 'publish', 'b-1-publish');
    expect(await finishedAt()).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('finishRun logs a failure instead of throwing it at the job that asked', async () => {
    const gone = connect('producer');
    gone.disconnect();
    const warnings: string[] = [];
    const log = { warn: (_fields: unknown, message: string) => warnings.push(message) } as unknown as Logger;
    const broken = new RunCoordinator({ redis: gone, prefix, env: {}, log });
    await expect(broken.finishRun(RUN_ID)).resolves.toBeUndefined();
    expect(warnings).toEqual(['finishing the run failed']);
  });
});

describe('the hand-over from fix to publish', () => {
  const publishJob: PublishJob = {
    ...RUN,
    batchId: 'b-1',
    branch: 'selfreview/remove_unused_import-0123456789',
    commit: 'd'.repeat(40),
    items: [fixItem(unusedImport('a.ts', 'x'))],
  };
  const openPublish = () => redis.smembers(`${prefix}:run:{${RUN_ID}}:open:publish`);

  it('opens the publish job in the run before it is queued, once per batch', async () => {
    const { runs, lifecycle } = coordinator;
    const openWhenQueued: string[][] = [];
    const publish = async () => void openWhenQueued.push(await openPublish());
    expect(await handOverToPublish({ runs, lifecycle, publish }, publishJob)).toBe(true);
    expect(openWhenQueued).toEqual([[publishJobId('b-1')]]);

    // A pull request record for the batch: the publisher has (or had) it already.
    await runs.putPullRequest(RUN_ID, {
      batchId: 'b-1',
      branch: publishJob.branch,
      status: 'failed',
      forge: null,
      url: null,
      number: null,
      labels: [],
      reason: 'push rejected',
    });
    await coordinator.lifecycle.closeJob(RUN_ID, 'publish', publishJobId('b-1'));
    expect(await handOverToPublish({ runs, lifecycle, publish }, publishJob)).toBe(false);
    expect(openWhenQueued).toHaveLength(1);
    expect(await openPublish()).toEqual([]);
  });

  it("queues the publish job; a re-run batch's job that already ended is closed, so the run can end", async () => {
    const publishQueue = createQueue('publish', queueConnection, prefix);
    const manualConnection = connect('worker');
    const manual = new Worker('publish', null, { connection: manualConnection, prefix });
    try {
      const { runs, lifecycle } = coordinator;
      const publish = (job: PublishJob) => coordinator.queuePublishJob(publishQueue, job);
      await coordinator.lifecycle.openJobs(RUN_ID, 'fix', ['b-1']);
      expect(await handOverToPublish({ runs, lifecycle, publish }, publishJob)).toBe(true);
      const queued = await publishQueue.getJob(publishJobId('b-1'));
      expect(queued?.name).toBe('publish-batch');
      expect(queued?.data).toEqual(publishJob);
      expect(await openPublish()).toEqual([publishJobId('b-1')]);

      // The publisher finishes the job; the batch is re-run (its results lost) and hands over again.
      const taken = await manual.getNextJob('token-1');
      await taken!.moveToCompleted('done', 'token-1', false);
      await coordinator.lifecycle.closeJob(RUN_ID, 'publish', publishJobId('b-1'));
      expect(await handOverToPublish({ runs, lifecycle, publish }, publishJob)).toBe(true);
      expect(await publishQueue.getCompletedCount()).toBe(1);
      expect(await publishQueue.getWaitingCount()).toBe(0);
      expect(await openPublish()).toEqual([]);
      await coordinator.closeJobAndFinishRun(RUN_ID, 'fix', 'b-1');
      expect(await finishedAt()).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    } finally {
      await manual.close();
      await manualConnection.quit();
      await publishQueue.close();
    }
  });
});
