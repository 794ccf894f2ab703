/** The apply worker process: `node --import tsx services/apply/src/main.ts`. */
import { loadConfig } from '@selfreview/shared/config';
import { RunCoordinator } from '@selfreview/shared/coordinator';
import { startHeartbeat } from '@selfreview/shared/health-beat';
import { createLogger } from '@selfreview/shared/logger';
import { FindingMemory } from '@selfreview/shared/memory';
import { createModel, modelUsableAtStart } from '@selfreview/shared/model/setup';
import { createRedis, redisSettingsOkAtStart, waitForReady } from '@selfreview/shared/redis';
import { createQueue, handleShutdown, JobRepositories, startWorker } from '@selfreview/shared/worker';
import { RepoIndexCache } from './context.ts';
import { createApplyFailureHandler, createApplyProcessor } from './processor.ts';

const config = loadConfig(process.env);
const log = createLogger({ name: 'apply', level: config.logLevel });
// A retired or unknown model would fail every item: stop now, with one line saying what to set.
if (!(await modelUsableAtStart({ config, env: process.env, log, who: 'apply worker' }))) process.exit(2);
const redis = createRedis(config.redisUrl, 'worker');
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
await waitForReady(redis, 30_000);
// An evicting Redis would lose jobs and locks silently: stop now, with one line saying what to set.
if (!(await redisSettingsOkAtStart({ redis, env: process.env, log, who: 'apply worker' }))) process.exit(2);

const coordinator = new RunCoordinator({ redis, prefix: config.prefix, env: process.env, log });
const { runs } = coordinator;
const fixQueue = createQueue('fix', redis, config.prefix);
// The connection's own listener logs a lost Redis; without this, BullMQ prints each error's stack.
fixQueue.on('error', () => {});
// Where a failed job of several files puts each of them back as a job of its own.
const applyQueue = createQueue('apply', redis, config.prefix);
applyQueue.on('error', () => {});
const model = createModel({ config, env: process.env, redis, runs, log });
log.info(
  { model: model ? config.modelName : null },
  model ? 'second opinions on' : 'second opinions off: no API key',
);
// Opened once, with one git process each for reading, for the worker's life.
const repositories = new JobRepositories();
const worker = startWorker({
  queue: 'apply',
  config,
  log,
  processor: createApplyProcessor({
    coordinator,
    fixQueue,
    llmAvailable: model !== null,
    ...(model ? { model } : {}),
    memory: new FindingMemory(redis, config.prefix),
    indexes: new RepoIndexCache(),
    repositories,
  }),
  onFinalFailure: createApplyFailureHandler({ coordinator, fixQueue, applyQueue }),
});
log.info({ queue: 'apply', prefix: config.prefix }, 'worker ready');
// For health checks (health.js): this process is alive, connected and taking jobs.
startHeartbeat({
  service: 'apply',
  env: process.env,
  state: () => ({ redis: redis.status, running: worker.isRunning() }),
  log,
});
handleShutdown(log, [
  () => worker.close(),
  () => repositories.close(),
  () => fixQueue.close(),
  () => applyQueue.close(),
  () => redis.quit(),
]);
