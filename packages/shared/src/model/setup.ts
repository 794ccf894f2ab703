/**
 * Builds the model client a worker uses, from its configuration and environment: none when the
 * API key's variable is unset (the model path is then off and says so). Usage and budget
 * warnings go to the run's record, so the report shows them.
 */
import type { Redis } from 'ioredis';
import type { ServiceConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { RunStore } from '../runs.ts';
import { TokenBudget } from './budget.ts';
import { checkModel, type ModelCheck } from './check.ts';
import { ModelClient } from './client.ts';
import { secretValues } from './sanitize.ts';

export type ModelSetup = { client: ModelClient; secrets: string[] };

export function createModel(opts: {
  config: ServiceConfig;
  env: Readonly<Record<string, string | undefined>>;
  redis: Redis;
  runs: RunStore;
  log: Logger;
}): ModelSetup | null {
  const apiKey = opts.env[opts.config.modelApiKeyEnv];
  if (!apiKey) return null;
  const budget = new TokenBudget(opts.redis, opts.config.prefix);
  const client = new ModelClient({
    apiKey,
    baseUrl: opts.config.modelBaseUrl,
    model: opts.config.modelName,
    timeoutMs: opts.config.modelTimeoutSeconds * 1000,
    maxRetries: opts.config.modelMaxRetries,
    caps: opts.config.modelBudgetCaps,
    budget,
    onUsage: async (scope, usage) => {
      await opts.runs.addModelUsage(scope.runId, usage);
    },
    onWarning: async (scope, warning) => {
      opts.log.warn({ runId: scope.runId, batchId: scope.batchId }, warning);
      await opts.runs.addWarnings(scope.runId, [warning]);
    },
  });
  // Every value in the environment that looks like a secret, the key included, stays out of prompts.
  return { client, secrets: secretValues(opts.env) };
}

/**
 * The check of the configured model when a worker that uses it starts (none without a key).
 * Returns false, after one line on stderr naming the model and what to set, when the model is
 * retired or unknown; a deprecated model or a failed check is a warning and the worker runs.
 */
export async function modelUsableAtStart(opts: {
  config: ServiceConfig;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** Who is starting, for the stderr line (e.g. `fix worker`). */
  who: string;
}): Promise<boolean> {
  const check = await startupModelCheck(opts.config, opts.env);
  if (check === null) return true;
  if (check.status === 'unusable') {
    opts.log.fatal({ model: check.model }, check.line);
    process.stderr.write(`selfreview ${opts.who}: ${check.line}\n`);
    return false;
  }
  if (check.status === 'active') opts.log.info({ model: check.model }, 'model checked: active');
  else opts.log.warn({ model: check.model }, check.warning);
  return true;
}

/** The start-up check itself: null when there is no key (the model path is off, nothing to check). */
export async function startupModelCheck(
  config: ServiceConfig,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ModelCheck | null> {
  const apiKey = env[config.modelApiKeyEnv];
  if (!apiKey) return null;
  return checkModel({ apiKey, baseUrl: config.modelBaseUrl, model: config.modelName });
}
