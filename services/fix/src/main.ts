/**
 * The fix worker process: `node services/fix/dist/main.js` (after `pnpm build`), or from its sources
 * `node --conditions=source --import tsx services/fix/src/main.ts`.
 */
import { loadConfig } from '@selfreview/shared/config';
import { RunCoordinator } from '@selfreview/shared/coordinator';
import { startHeartbeat } from '@selfreview/shared/health-beat';
import { RepoLock } from '@selfreview/shared/locks';
import { createLogger } from '@selfreview/shared/logger';
import { FindingMemory } from '@selfreview/shared/memory';
import { createModel, modelUsableAtStart } from '@selfreview/shared/model/setup';
import { RepoPauses } from '@selfreview/shared/pauses';
import { createRedis, redisSettingsOkAtStart, waitForReady } from '@selfreview/shared/redis';
import { sandboxAtStart } from '@selfreview/shared/sandbox';
import { loadServerConfig } from '@selfreview/shared/server-config';
import { createQueue, handleShutdown, startWorker } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import { BranchHandover } from './branch-handover.ts';
import { ownCloneResolver } from './own-clone.ts';
import { createWorktreePool } from './pipeline/worktree.ts';
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

const coordinator = new RunCoordinator({ redis, prefix: config.prefix, env: process.env, log });
const { runs } = coordinator;
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
// Server mode: repositories configured by URL are cloned into this host's own data folder, and a
// committed branch is kept in Redis for the publisher, which may run on another host.
const serverConfigFile = process.env.SELFREVIEW_SERVER_CONFIG;
const serverConfig = serverConfigFile ? await loadServerConfig(serverConfigFile) : null;
const handover = serverConfig ? new BranchHandover(redis, config.prefix) : null;
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
// Worktrees kept between batches of one commit (SELFREVIEW_FIX_KEPT_WORKTREES), removed when the worker stops.
const worktrees = createWorktreePool(config.fixKeptWorktrees, (root) => Repository.open(root));
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
    lifecycle: coordinator.lifecycle,
    finishRun: coordinator.finishRun,
    recordLostRuns: true,
    caps: config,
    ...(worktrees ? { worktrees } : {}),
    ...(model ? { model } : {}),
    requeue: async (job) => {
      await fixQueue.add('fix-batch', job, { jobId: job.batchId });
    },
    ...(serverConfig ? { ownClone: ownCloneResolver(serverConfig, config.dataDir) } : {}),
    publish: async (job, local) => {
      await handover?.put(local, job, log);
      await coordinator.queuePublishJob(publishQueue, job);
    },
  }),
  onFinalFailure: async (data, _ctx, err) => {
    await runs.addWarnings(data.runId, [`fix batch ${data.batchId} failed: ${err.message}`]);
    await coordinator.closeJobAndFinishRun(data.runId, 'fix', data.batchId);
  },
  // A batch may run for its whole time limit; its job lock is renewed meanwhile (SELFREVIEW_JOB_LOCK_SECONDS).
  // SELFREVIEW_FIX_CONCURRENCY batches at once; each repository's fix.concurrency bounds its own.
  workerOptions: { concurrency: config.fixConcurrency },
});
log.info({ queue: 'fix', prefix: config.prefix }, 'worker ready');
// For health checks (health.js): this process is alive, connected and taking jobs.
startHeartbeat({
  service: 'fix',
  env: process.env,
  state: () => ({ redis: redis.status, running: worker.isRunning() }),
  log,
});
handleShutdown(log, [
  // Kept worktrees first: waiting for the running batches can take long, or for ever without Redis.
  async () => worktrees?.drain(),
  () => worker.close(),
  async () => worktrees?.drain(),
  () => fixQueue.close(),
  () => publishQueue.close(),
  () => producer.quit(),
  () => redis.quit(),
]);
