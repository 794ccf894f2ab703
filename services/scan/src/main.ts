/**
 * The scan worker process: `node services/scan/dist/main.js` (after `pnpm build`), or from its sources
 * `node --conditions=source --import tsx services/scan/src/main.ts`.
 */
import { loadConfig } from '@selfreview/shared/config';
import { RunCoordinator } from '@selfreview/shared/coordinator';
import { startHeartbeat } from '@selfreview/shared/health-beat';
import { createLogger } from '@selfreview/shared/logger';
import { RepoPauses } from '@selfreview/shared/pauses';
import { createRedis, redisSettingsOkAtStart, waitForReady } from '@selfreview/shared/redis';
import { RunJournal, reconcileJournal } from '@selfreview/shared/run-journal';
import { sandboxAtStart } from '@selfreview/shared/sandbox';
import { createQueue, handleShutdown, startWorker } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import { findNativeTsc } from './engine/native-tsc.ts';
import { compilerTimeoutFromEnv } from './engine/settings.ts';
import { WarmCache } from './engine/warm.ts';
import { createScanProcessor } from './processor.ts';

const config = loadConfig(process.env);
const log = createLogger({ name: 'scan', level: config.logLevel });
// Repository code runs in the sandbox; where it cannot run, server mode refuses to start.
if (!(await sandboxAtStart({ env: process.env, log, who: 'scan worker' }))) process.exit(2);
const redis = createRedis(config.redisUrl, 'worker');
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
await waitForReady(redis, 30_000);
// An evicting Redis would lose jobs and locks silently: stop now, with one line saying what to set.
if (!(await redisSettingsOkAtStart({ redis, env: process.env, log, who: 'scan worker' }))) process.exit(2);

const coordinator = new RunCoordinator({ redis, prefix: config.prefix, env: process.env, log });
const { runs } = coordinator;
const journal = new RunJournal(config.dataDir);
const warm = new WarmCache(Number(process.env.SELFREVIEW_WARM_REPOS ?? 2) || 2);
const tscPath = await findNativeTsc();
if (!tscPath)
  log.warn('the native TypeScript compiler is not available here: full scans use the JavaScript compiler');
const applyQueue = createQueue('apply', redis, config.prefix);
const fixQueue = createQueue('fix', redis, config.prefix);
// The shared connection's own listener logs a lost Redis; without these, BullMQ prints each error's stack.
for (const q of [applyQueue, fixQueue]) q.on('error', () => {});
const worker = startWorker({
  queue: 'scan',
  config,
  log,
  processor: createScanProcessor({
    coordinator,
    applyQueue,
    fixQueue,
    dataDir: config.dataDir,
    warm,
    tscPath,
    compilerTimeoutMs: compilerTimeoutFromEnv(process.env),
  }),
  onFinalFailure: async (data, { job }, err) => {
    // Nothing was scanned: an error of the run, not a warning.
    await runs.addErrors(data.runId, [`scan failed: ${err.message}`]);
    await coordinator.closeFailedScanJob(data.runId, String(job.id));
  },
});
// The coordinator turns pushes and schedules into runs in this process, where the repositories
// (and cached clones) are.
const scanQueue = createQueue('scan', redis, config.prefix);
scanQueue.on('error', () => {});
const triggerWorker = startWorker({
  queue: 'trigger',
  config,
  log,
  processor: coordinator.triggerProcessor({
    scanQueue,
    dataDir: config.dataDir,
    pauses: new RepoPauses(redis, config.prefix),
    journal,
  }),
});
// A Redis that restarted without persistence took the state of the runs in progress with it:
// compare the journal with Redis whenever the connection is (re)established, and every minute.
const reconcile = () =>
  reconcileJournal({
    journal,
    runs,
    branchesOf: async (meta) => (await Repository.open(meta.repoPath)).branchesOfRun(meta.runId),
  })
    .then((lost) => {
      if (lost.length > 0) log.error({ runs: lost }, 'runs whose state Redis lost were recorded as lost');
    })
    .catch((err: Error) => log.warn({ err: err.message }, 'comparing the run journal with Redis failed'));
redis.on('ready', () => void reconcile());
void reconcile();
setInterval(() => void reconcile(), 60_000).unref();
log.info({ queue: 'scan', prefix: config.prefix }, 'worker ready');
// For health checks (health.js): this process is alive, connected and taking jobs.
startHeartbeat({
  service: 'scan',
  env: process.env,
  state: () => ({ redis: redis.status, running: worker.isRunning() && triggerWorker.isRunning() }),
  log,
});
handleShutdown(log, [
  () => triggerWorker.close(),
  () => worker.close(),
  () => scanQueue.close(),
  async () => warm.clear(),
  () => applyQueue.close(),
  () => fixQueue.close(),
  () => redis.quit(),
]);
