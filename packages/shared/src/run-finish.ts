/**
 * The end of a run: whichever job closes the run's last open job calls this. Exactly one
 * caller wins the claim (SET NX), records when the run finished, and posts the summary to
 * the team's webhook when the run came with one (by the NAME of the variable holding its URL).
 */
import type { Logger } from './logger.ts';
import { postSummary, summaryMessage } from './notify.ts';
import type { Redis } from './redis.ts';
import { buildReport } from './report.ts';
import { RunStore } from './runs.ts';

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
  if (!RunStore.isDrained(await runs.progress(runId))) return false;
  const claimed = await opts.redis.set(
    `${opts.prefix}:run:{${runId}}:finished`,
    '1',
    'EX',
    14 * 24 * 3600,
    'NX',
  );
  if (claimed === null) return false;
  const finishedAt = new Date().toISOString();
  await runs.setMeta(runId, { finishedAt });
  const meta = await runs.meta(runId);
  const urlEnv = meta?.notifyEnv;
  const url = urlEnv ? opts.env[urlEnv] : undefined;
  if (!url) return true;
  const input = await runs.reportInput(runId);
  if (!input) return true;
  const report = buildReport({ ...input, finishedAt });
  const error = await postSummary(url, summaryMessage(report, meta?.repoName), opts.fetchImpl);
  if (error) {
    opts.log.warn({ runId }, error);
    await runs.addWarnings(runId, [error]);
  } else opts.log.info({ runId }, 'run summary posted');
  return true;
}
