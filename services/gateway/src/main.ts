/**
 * The gateway process: `node services/gateway/dist/main.js` (after `pnpm build`), or from its sources
 * `node --conditions=source --import tsx services/gateway/src/main.ts`.
 */
import { loadConfig } from '@selfreview/shared/config';
import { createLogger } from '@selfreview/shared/logger';
import { FindingMemory } from '@selfreview/shared/memory';
import { RepoPauses } from '@selfreview/shared/pauses';
import { ProposalIndex } from '@selfreview/shared/proposals';
import { ALL_QUEUES } from '@selfreview/shared/queues';
import { createRedis, redisSettingsOkAtStart, waitForReady } from '@selfreview/shared/redis';
import { RunStore } from '@selfreview/shared/runs';
import { loadServerConfig } from '@selfreview/shared/server-config';
import { createQueue, handleShutdown } from '@selfreview/shared/worker';
import { buildGateway, type GatewayQueues } from './app.ts';
import { credentialsFromEnv } from './auth.ts';
import { syncSchedules } from './schedules.ts';

const config = loadConfig(process.env);
const log = createLogger({ name: 'gateway', level: config.logLevel });
const serverConfigFile = process.env.SELFREVIEW_SERVER_CONFIG ?? 'selfreview.server.yaml';
const serverConfig = await loadServerConfig(serverConfigFile);
const host = process.env.SELFREVIEW_GATEWAY_HOST ?? '127.0.0.1';
const port = Number(process.env.SELFREVIEW_GATEWAY_PORT ?? 8080);

// A producer connection: while Redis is away, requests fail at once (503) instead of piling up;
// it reconnects in the background, so the gateway recovers without a restart.
const redis = createRedis(config.redisUrl, 'producer');
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
const queues = Object.fromEntries(
  ALL_QUEUES.map((q) => [q, createQueue(q, redis, config.prefix)]),
) as GatewayQueues;
// The connection's own listener logs a lost Redis; without this, BullMQ prints each error's stack.
for (const q of Object.values(queues)) q.on('error', () => {});

// An evicting Redis would lose jobs and locks silently: stop with one line saying what to set. The
// gateway starts without Redis (answering 503 meanwhile), so the check runs whenever it first answers.
const checkRedisSettings = async () => {
  if (!(await redisSettingsOkAtStart({ redis, env: process.env, log, who: 'gateway' }))) process.exit(2);
};
try {
  await waitForReady(redis, 30_000);
  await checkRedisSettings();
} catch (err) {
  log.warn({ err: (err as Error).message }, 'Redis settings not checked yet: Redis is not answering');
  redis.once('ready', () => {
    checkRedisSettings().catch((e: Error) =>
      log.warn({ err: e.message }, 'Redis settings not checked: Redis is not answering'),
    );
  });
}

const credentials = credentialsFromEnv(process.env);
if (!credentials)
  log.warn('SELFREVIEW_UI_USER / SELFREVIEW_UI_PASSWORD unset: the dashboard and API answer 401');

const app = await buildGateway({
  redis,
  prefix: config.prefix,
  queues,
  runs: new RunStore(redis, config.prefix),
  pauses: new RepoPauses(redis, config.prefix),
  serverConfig,
  env: process.env,
  credentials,
  log,
  proposals: new ProposalIndex(redis, config.prefix),
  memory: new FindingMemory(redis, config.prefix),
});
// Schedules follow the configuration at every start; a Redis not there yet is retried.
for (let attempt = 1; ; attempt++) {
  try {
    await syncSchedules(queues.trigger, serverConfig, log);
    break;
  } catch (err) {
    if (attempt >= 10) throw err;
    log.warn({ err: (err as Error).message, attempt }, 'schedules not synchronised yet; retrying');
    await new Promise((r) => setTimeout(r, 3_000));
  }
}
await app.listen({ host, port });
log.info(
  { host, port, repositories: serverConfig.repositories.length, config: serverConfigFile },
  'gateway listening',
);
handleShutdown(log, [
  () => app.close(),
  ...Object.values(queues).map((q) => () => q.close()),
  () => redis.quit(),
]);
