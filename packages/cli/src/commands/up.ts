/**
 * `selfreview up [--config FILE] [--port N] [--host H]`: the long-running deployment on one
 * machine: the gateway (webhooks, schedules, dashboard, API), the three workers and the
 * publisher as separate processes on one Redis, until interrupted. A process that stops
 * unexpectedly is restarted. Each gets only its own secrets: forge tokens the publisher,
 * webhook secrets and UI credentials the gateway, the model key the workers that call it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@selfreview/shared/config';
import { UserInputError } from '@selfreview/shared/errors';
import { redactUrl } from '@selfreview/shared/logger';
import { QUEUE_NAMES } from '@selfreview/shared/queues';
import { provideRedis } from '@selfreview/shared/redis-server';
import { serverSandboxProblem } from '@selfreview/shared/sandbox';
import { loadServerConfig, secretEnvNames } from '@selfreview/shared/server-config';
import { type ProcessName, processEnv, Supervisor } from '../workers.ts';

export type UpOptions = {
  configFile: string;
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  out: NodeJS.WritableStream;
  /** Resolves when the deployment should stop (SIGINT/SIGTERM by default). */
  until?: Promise<void>;
};

export async function upCommand(opts: UpOptions): Promise<void> {
  const say = (line: string) => opts.out.write(`${line}\n`);
  const configFile = path.resolve(opts.configFile);
  // Refuse a broken server configuration before starting anything.
  const serverConfig = await loadServerConfig(configFile);
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535)
    throw new UserInputError(`--port must be a port number, got ${opts.port}`);
  // The watched repositories' code runs only in the sandbox here (SELFREVIEW_SANDBOX=off opts out).
  const unsandboxed = await serverSandboxProblem(opts.env);
  if (unsandboxed) throw new UserInputError(unsandboxed);
  const redis = await provideRedis(opts.env);
  const config = loadConfig({ ...opts.env, REDIS_URL: redis.url });
  const logDir = path.join(config.dataDir, 'up');
  await mkdir(logDir, { recursive: true });
  const env = {
    REDIS_URL: redis.url,
    SELFREVIEW_PREFIX: config.prefix,
    SELFREVIEW_DATA_DIR: config.dataDir,
    LOG_LEVEL: config.logLevel,
    SELFREVIEW_SERVER_CONFIG: configFile,
    SELFREVIEW_GATEWAY_HOST: opts.host,
    SELFREVIEW_GATEWAY_PORT: String(opts.port),
  };
  const names: ProcessName[] = ['gateway', ...QUEUE_NAMES];
  const named = secretEnvNames(serverConfig);
  const secrets = {
    model: [config.modelApiKeyEnv],
    forge: named.forge,
    gateway: named.webhooks,
    notify: named.notify,
  };
  // The configuration given here is the deployment's: not a publish setting of some `run`.
  const { SELFREVIEW_RUN_PUBLISH: _runPublish, ...from } = opts.env;
  // A process given up on stays down; the others keep serving (the log line says which and why).
  const supervisor = new Supervisor({
    names,
    env: (name) => processEnv(name, { from, common: env, secrets }),
    logDir,
    say,
  });
  supervisor.start();
  say(
    `selfreview up: gateway on http://${opts.host}:${opts.port} (dashboard /ui, API /api, webhooks /webhooks/github|gitlab), workers scan, apply, fix, publish; ${serverConfig.repositories.length} repositories from ${configFile}; Redis ${redactUrl(redis.url)}; logs in ${logDir}. Ctrl-C stops.`,
  );
  await (opts.until ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }));
  say('stopping…');
  await supervisor.stop();
  await redis.stop();
  say('stopped');
}
