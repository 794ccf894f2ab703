/** The fix worker process: `node --import tsx services/fix/src/main.ts`. */
import { loadConfig } from '@selfreview/shared/config';
import { RepoLock } from '@selfreview/shared/locks';
import { createLogger } from '@selfreview/shared/logger';
import { FindingMemory } from '@selfreview/shared/memory';
import { createModel, modelUsableAtStart } from '@selfreview/shared/model/setup';
import { RepoPauses } from '@selfreview/shared/pauses';
import { publishJobId } from '@selfreview/shared/queues';
import { createRedis, redisSettingsOkAtStart, waitForReady } from '@selfreview/shared/redis';
import { finishRunIfDrained } from '@selfreview/shared/run-finish';
import { RunStore } from '@selfreview/shared/runs';
import { sandboxAtStart } from '@selfreview/shared/sandbox';
import { createQueue, handleShutdown, startWorker } from '@selfreview/shared/worker';
import { createFixProcessor } from './processor.ts';
import { pruneStaleWorktrees } from './stale-worktrees.ts';

const config = loadConfig(process.env);
const log = createLogger({ name: 'fix', level: config.logLevel });
// Repository code runs in the sandbox; where it cannot run, server mode refuses to start.
if (!(await sandboxAtStart({ env: process.env, log, who: 'fix worker' }))) process.exit(2);
// A retired or unknown model would fail every item: stop now, with one line saying what to set.
if (!(await modelUsableAtStart({ config, env: process.env, log, who: 'fix worker' }))) process.exit(2);
const redis = createRedis(config.redisUrl, 'worker');
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
await waitForReady(redis, 30_000);
// An evicting Redis would lose jobs and locks silently: stop now, with one line saying what to set.
if (!(await redisSettingsOkAtStart({ redis, env: process.env, log, who: 'fix worker' }))) process.exit(2);

const runs = new RunStore(redis, config.prefix);
const finishRun = (runId: string) =>
  finishRunIfDrained({ redis, prefix: config.prefix, runs, runId, env: process.env, log }).catch(
    (err: Error) => log.warn({ runId, err: err.message }, 'finishing the run failed'),
  );
// Follow-up batches (items a batch carried over) go back on the fix queue through a producer
// connection, which fails fast instead of queueing commands while Redis is away.
const producer = createRedis(config.redisUrl, 'producer');
producer.on('error', (err) => log.warn({ err: err.message }, 'redis producer connection error'));
const fixQueue = createQueue('fix', producer, config.prefix);
// Committed batches go to the publisher, the one process that holds forge tokens.
const publishQueue = createQueue('publish', producer, config.prefix);
// The connection's own listener logs a lost Redis; without these, BullMQ prints each error's stack.
fixQueue.on('error', () => {});
publishQueue.on('error', () => {});
// Worktrees a crashed worker left behind are removed before any batch starts.
const pruned = await pruneStaleWorktrees(config.dataDir);
if (pruned > 0) log.info({ pruned }, 'removed stale worktrees');
const model = createModel({ config, env: process.env, redis, runs, log });
log.info(
  model
    ? { model: config.modelName, baseUrl: config.modelBaseUrl ?? 'default' }
    : { keyVariable: config.modelApiKeyEnv },
  model ? 'model fixer on' : 'model fixer off: no API key; items that need it wait as needs_llm',
);
const worker = startWorker({
  queue: 'fix',
  config,
  log,
  processor: createFixProcessor({
    runs,
    dataDir: config.dataDir,
    memory: new FindingMemory(redis, config.prefix),
    locks: new RepoLock(redis, config.prefix),
    pauses: new RepoPauses(redis, config.prefix),
    finishRun,
    recordLostRuns: true,
    caps: config,
    ...(model ? { model } : {}),
    requeue: async (job) => {
      await fixQueue.add('fix-batch', job, { jobId: job.batchId });
    },
    publish: async (job) => {
      const id = publishJobId(job.batchId);
      await publishQueue.add('publish-batch', job, { jobId: id });
      // A re-run batch whose publish job already ended adds nothing: BullMQ keeps the ended job
      // under that id. Its entry in the run's open set must not outlive it, or the run never ends.
      const state = await publishQueue.getJobState(id);
      if (state === 'completed' || state === 'failed') await runs.closeJob(job.runId, 'publish', id);
    },
  }),
  onFinalFailure: async (data, _ctx, err) => {
    await runs.addWarnings(data.runId, [`fix batch ${data.batchId} failed: ${err.message}`]);
    await runs.closeFixJob(data.runId, data.batchId);
    await finishRun(data.runId);
  },
  // A batch may run for its whole time limit; its job lock is renewed meanwhile (SELFREVIEW_JOB_LOCK_SECONDS).
  workerOptions: { concurrency: 1 },
});
log.info({ queue: 'fix', prefix: config.prefix }, 'worker ready');
handleShutdown(log, [
  () => worker.close(),
  () => fixQueue.close(),
  () => publishQueue.close(),
  () => producer.quit(),
  () => redis.quit(),
]);
