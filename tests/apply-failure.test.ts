/**
 * An apply job that failed for good, on the real test Redis and BullMQ queues
 * (createApplyFailureHandler, the apply worker's onFinalFailure): a job of several files puts each
 * file back as a job of its own, opened before the failed job closes, so one bad file loses only its
 * own decisions; a job of one file, or one that failed unrecoverably, leaves a warning per file;
 * and the failed job always closes, the run's last one handing over to fix.
 */
import { createApplyFailureHandler } from '@selfreview/apply/processor';
import { RunCoordinator } from '@selfreview/shared/coordinator';
import { type ApplyJob, applyJobId, type FixJob } from '@selfreview/shared/queues';
import { createQueue, type ProcessContext } from '@selfreview/shared/worker';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTarget, startedRun, todoComment } from './helpers/factories.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const RUN_ID = 'r1-apply-failure';
// No repository there: the hand-over's maxFiles falls back to the defaults.
const RUN = runTarget(RUN_ID, '/tmp/selfreview-apply-failure-none', 'd'.repeat(40));

const job = (...files: string[]): ApplyJob => ({
  ...RUN,
  files: files.map((file) => ({ file, candidates: [todoComment(file, 'later')] })),
});

let prefix: string;
let redis: Redis;
let queueConnection: Redis;
let coordinator: RunCoordinator;
let applyQueue: Queue<ApplyJob>;
let fixQueue: Queue<FixJob>;

beforeEach(async () => {
  prefix = uniquePrefix('apply-failure');
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

const open = async () => (await redis.smembers(`${prefix}:run:{${RUN_ID}}:open:apply`)).sort();

async function fail(data: ApplyJob, err: Error): Promise<void> {
  const id = applyJobId(
    RUN_ID,
    data.files.map((f) => f.file),
  );
  await coordinator.lifecycle.openJobs(RUN_ID, 'apply', [id]);
  const ctx: ProcessContext = { job: { id } as Job, log: pino({ level: 'silent' }) };
  await createApplyFailureHandler({ coordinator, fixQueue, applyQueue })(data, ctx, err);
}

describe('createApplyFailureHandler', () => {
  it('puts each file of a failed group back alone, opened before the group closes', async () => {
    await fail(job('src/a.ts', 'src/b.ts'), new Error('boom'));
    const ids = [applyJobId(RUN_ID, ['src/a.ts']), applyJobId(RUN_ID, ['src/b.ts'])].sort();
    expect(await open()).toEqual(ids);
    const queued = await applyQueue.getJobs(['waiting']);
    expect(queued.map((j) => j.data).sort((a, b) => (a.files[0]!.file < b.files[0]!.file ? -1 : 1))).toEqual([
      job('src/a.ts'),
      job('src/b.ts'),
    ]);
    expect(await coordinator.runs.warnings(RUN_ID)).toEqual([]);
    // Jobs are still open: nothing was handed over to fix.
    expect((await coordinator.runs.meta(RUN_ID))?.fixBatches).toBeUndefined();
  });

  it('warns about each file of a job that cannot succeed, closes it, and the last one hands over', async () => {
    await fail(job('src/a.ts', 'src/b.ts'), new UnrecoverableError('src/x: not a git repository'));
    expect(await coordinator.runs.warnings(RUN_ID)).toEqual([
      'apply failed for src/a.ts: src/x: not a git repository',
      'apply failed for src/b.ts: src/x: not a git repository',
    ]);
    expect(await open()).toEqual([]);
    expect(await applyQueue.getJobCounts('waiting')).toEqual({ waiting: 0 });
    expect((await coordinator.runs.meta(RUN_ID))?.fixBatches).toBe('0');
  });

  it('warns about the file of a one-file job that failed', async () => {
    await fail(job('src/a.ts'), new Error('boom'));
    expect(await coordinator.runs.warnings(RUN_ID)).toEqual(['apply failed for src/a.ts: boom']);
    expect(await open()).toEqual([]);
  });
});
