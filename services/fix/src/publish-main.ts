/**
 * The publisher process: `node services/fix/dist/publish-main.js` (after `pnpm build`), or from
 * its sources `node --conditions=source --import tsx services/fix/src/publish-main.ts`. The only
 * process with forge tokens in its environment; it receives committed, verified batches from the fix
 * worker, runs no repository code (git push with hooks off, and the forge's REST API), and
 * takes its publish settings from the server configuration or `selfreview run`'s options.
 */
import { loadConfig } from '@selfreview/shared/config';
import { RunCoordinator } from '@selfreview/shared/coordinator';
import { UserInputError } from '@selfreview/shared/errors';
import { startHeartbeat } from '@selfreview/shared/health-beat';
import { createLogger } from '@selfreview/shared/logger';
import { ProposalIndex } from '@selfreview/shared/proposals';
import { publishJobId } from '@selfreview/shared/queues';
import { createRedis, redisSettingsOkAtStart, waitForReady } from '@selfreview/shared/redis';
import { handleShutdown, startWorker } from '@selfreview/shared/worker';
import { BranchHandover } from './branch-handover.ts';
import { createPublishProcessor, resolverFromEnv } from './publisher.ts';

const config = loadConfig(process.env);
const log = createLogger({ name: 'publish', level: config.logLevel });
let settings: Awaited<ReturnType<typeof resolverFromEnv>>;
try {
  settings = await resolverFromEnv(process.env, config.dataDir);
} catch (err) {
  // A broken server configuration will not fix itself on a restart: one line, exit 2.
  if (!(err instanceof UserInputError)) throw err;
  log.fatal(err.message);
  process.stderr.write(`selfreview publisher: ${err.message}\n`);
  process.exit(2);
}
const redis = createRedis(config.redisUrl, 'worker');
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
await waitForReady(redis, 30_000);
// An evicting Redis would lose jobs and locks silently: stop now, with one line saying what to set.
if (!(await redisSettingsOkAtStart({ redis, env: process.env, log, who: 'publisher' }))) process.exit(2);

const coordinator = new RunCoordinator({ redis, prefix: config.prefix, env: process.env, log });
const { runs } = coordinator;
const deps = {
  runs,
  lifecycle: coordinator.lifecycle,
  resolve: settings.resolve,
  // Read here, by the NAME the publisher's own settings give; the value goes no further than
  // the forge client and git's http.extraHeader.
  credentials: (name: string) => process.env[name] || undefined,
  proposals: new ProposalIndex(redis, config.prefix),
  // Fix workers on other hosts keep their committed branches in Redis for this process.
  handover: new BranchHandover(redis, config.prefix),
  finishRun: coordinator.finishRun,
};
const worker = startWorker({
  queue: 'publish',
  config,
  log,
  processor: createPublishProcessor(deps),
  onFinalFailure: async (data, _ctx, err) => {
    await runs.addWarnings(data.runId, [`publishing batch ${data.batchId} failed: ${err.message}`]);
    await coordinator.closeJobAndFinishRun(data.runId, 'publish', publishJobId(data.batchId));
  },
});
log.info({ queue: 'publish', prefix: config.prefix, settings: settings.mode }, 'worker ready');
// For health checks (health.js): this process is alive, connected and taking jobs.
startHeartbeat({
  service: 'publish',
  env: process.env,
  state: () => ({ redis: redis.status, running: worker.isRunning() }),
  log,
});
handleShutdown(log, [() => worker.close(), () => redis.quit()]);
