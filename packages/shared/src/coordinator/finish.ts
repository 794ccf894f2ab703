/**
 * The end of a run: whichever job closes the run's last open job calls this. Exactly one
 * caller wins the claim (SET NX), records when the run finished, and posts the summary to
 * the team's webhook when the run came with one (by the NAME of the variable holding its URL).
 */
import type { Logger } from '../logger.ts';
import { redactUrl } from '../logger.ts';
import { postSummary, summaryMessage } from '../notify.ts';
import type { Redis } from '../redis.ts';
import { buildReport } from '../report.ts';
import { RUN_TTL_S, runKey } from '../run-keys.ts';
import type { RunStore } from '../runs.ts';
import { loadServerConfig } from '../server-config.ts';
import { RunLifecycle } from './run-lifecycle.ts';

/** The server configuration's summary variable, read once per file and process. */
const configuredNotifyEnv = new Map<string, Promise<string | null>>();

/**
 * Which variable a run may name for its summary webhook. The name travels in job data (the
 * trigger) into the run's meta, and Redis can be edited: in server mode only the variable the
 * server configuration names is ever read, so a run cannot point it at a token.
 */
async function notifyEnvAllowed(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<boolean> {
  const file = env.SELFREVIEW_SERVER_CONFIG;
  if (!file) return true;
  let configured = configuredNotifyEnv.get(file);
  if (!configured) {
    configured = loadServerConfig(file).then(
      (c) => c.notify?.webhookUrlEnv ?? null,
      () => null,
    );
    configuredNotifyEnv.set(file, configured);
  }
  return (await configured) === name;
}

export async function finishRunIfDrained(opts: {
  redis: Redis;
  prefix: string;
  runs: RunStore;
  runId: string;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  fetchImpl?: typeof fetch;
}): Promise<boolean> {
  const { runs, runId } = opts;
  const lifecycle = new RunLifecycle(opts.redis, opts.prefix);
  if (!RunLifecycle.isDrained(await lifecycle.progress(runId))) return false;
  const claimed = await opts.redis.set(runKey(opts.prefix, runId, 'finished'), '1', 'EX', RUN_TTL_S, 'NX');
  if (claimed === null) return false;
  const finishedAt = new Date().toISOString();
  await runs.setMeta(runId, { finishedAt });
  const meta = await runs.meta(runId);
  const urlEnv = meta?.notifyEnv;
  if (!urlEnv) return true;
  if (!(await notifyEnvAllowed(urlEnv, opts.env))) {
    const warning = `no run summary posted: the run names ${urlEnv}, which is not the server configuration's summary webhook variable`;
    opts.log.warn({ runId }, warning);
    await runs.addWarnings(runId, [warning]);
    return true;
  }
  const url = opts.env[urlEnv];
  if (!url) return true;
  if (!/^https?:\/\/[^\s]+$/i.test(url)) {
    // Never the value itself: whatever the variable holds, it is not a URL to post to.
    const warning = `no run summary posted: ${urlEnv} does not hold an http(s) URL`;
    opts.log.warn({ runId }, warning);
    await runs.addWarnings(runId, [warning]);
    return true;
  }
  const input = await runs.reportInput(runId);
  if (!input) return true;
  const report = buildReport({ ...input, finishedAt });
  const failure = await postSummary(url, summaryMessage(report, meta?.repoName), opts.fetchImpl);
  if (failure) {
    // A webhook URL is a secret of its own (its path is the credential): never in a warning.
    const error = redactUrl(failure.split(url).join('[webhook URL]'));
    opts.log.warn({ runId }, error);
    await runs.addWarnings(runId, [error]);
  } else opts.log.info({ runId }, 'run summary posted');
  return true;
}
