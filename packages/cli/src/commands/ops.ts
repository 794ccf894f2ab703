/**
 * Operator commands on a running installation's Redis (REDIS_URL, SELFREVIEW_PREFIX), straight
 * on Redis rather than through the gateway, so they work while the gateway is down:
 *
 *   selfreview status                       queue depths, paused repositories, recent runs
 *   selfreview requeue QUEUE (JOB_ID|--all) re-queue failed jobs
 *   selfreview pause NAME                   stop starting runs of a repository
 *   selfreview resume NAME [--config FILE]  start again, with a catch-up full scan
 *
 * Never a private redis-server: a status of an empty throwaway Redis would be a lie.
 */
import { loadConfig, type ServiceConfig } from '@selfreview/shared/config';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { SelfreviewError, UserInputError } from '@selfreview/shared/errors';
import { RepoPauses } from '@selfreview/shared/pauses';
import { ALL_QUEUES, type AnyQueueName, type TriggerJob } from '@selfreview/shared/queues';
import { createRedis, type Redis, waitForReady } from '@selfreview/shared/redis';
import { RunStore } from '@selfreview/shared/runs';
import {
  loadServerConfig,
  repoTarget,
  type ServerConfig,
  type ServerRepo,
} from '@selfreview/shared/server-config';
import { createQueue } from '@selfreview/shared/worker';
import { type JobType, Queue } from 'bullmq';

type Out = NodeJS.WritableStream;
type OpsBase = { env: NodeJS.ProcessEnv; out: Out };

/** The states `status` shows, in this order. BullMQ's types no longer list `paused`; it still counts it. */
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'completed', 'failed'] as const;
const RECENT_RUNS = 5;
const READY_TIMEOUT_MS = 3_000;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export async function statusCommand(opts: OpsBase): Promise<void> {
  const say = (line: string) => opts.out.write(`${line}\n`);
  await withRedis(opts.env, async ({ config, redis, where }) => {
    const rows: string[][] = [['queue', ...STATES]];
    let failed = 0;
    for (const name of ALL_QUEUES) {
      // Read only: not even the queue's meta hash is written (a mistyped prefix leaves no trace).
      const queue = new Queue(name, { connection: redis, prefix: config.prefix, skipMetasUpdate: true });
      try {
        const [counts, paused] = await Promise.all([
          queue.getJobCounts(...(STATES as readonly string[] as JobType[])),
          queue.isPaused(),
        ]);
        failed += counts.failed ?? 0;
        rows.push([paused ? `${name} (paused)` : name, ...STATES.map((s) => String(counts[s] ?? 0))]);
      } finally {
        await queue.close();
      }
    }
    say(`Queues (prefix ${config.prefix}, Redis ${where}):`);
    for (const line of table(rows)) say(`  ${line}`);
    if (failed > 0)
      say(`  ${failed} failed: re-queue with \`selfreview requeue QUEUE --all\` (or one JOB_ID)`);

    const paused = await new RepoPauses(redis, config.prefix).list();
    say(`Paused repositories: ${paused.length > 0 ? paused.join(', ') : 'none'}`);

    const runs = new RunStore(redis, config.prefix);
    const lifecycle = new RunLifecycle(redis, config.prefix);
    const ids = await runs.recentRuns(RECENT_RUNS);
    say(ids.length > 0 ? 'Recent runs:' : 'Recent runs: none');
    const runRows: string[][] = [];
    for (const id of ids) {
      const [meta, progress] = await Promise.all([runs.meta(id), lifecycle.progress(id)]);
      if (!meta) continue;
      runRows.push([
        id,
        meta.repoName || meta.repoPath,
        `${meta.baseBranch}@${meta.baseSha.slice(0, 7)}`,
        meta.startedAt,
        RunLifecycle.isDrained(progress) ? 'done' : 'in progress',
        `${progress.candidates} candidates, ${progress.decisions} decisions, ${progress.fixResults} fix results`,
      ]);
    }
    for (const line of table(runRows)) say(`  ${line}`);
  });
}

export type RequeueOptions = OpsBase & { queue: string; jobId?: string | undefined; all: boolean };

export async function requeueCommand(opts: RequeueOptions): Promise<number> {
  const say = (line: string) => opts.out.write(`${line}\n`);
  const name = queueName(opts.queue);
  if (opts.all === (opts.jobId !== undefined)) {
    throw new UserInputError('requeue takes a QUEUE and either one JOB_ID or --all');
  }
  return withRedis(opts.env, async ({ config, redis }) => {
    const queue = createQueue(name, redis, config.prefix) as Queue;
    try {
      if (opts.jobId === undefined) {
        const n = await queue.getFailedCount();
        if (n > 0) await queue.retryJobs({ state: 'failed' });
        say(
          n > 0
            ? `Re-queued ${n} failed ${n === 1 ? 'job' : 'jobs'} of ${name}.`
            : `No failed jobs in ${name}.`,
        );
        return n;
      }
      const job = await queue.getJob(opts.jobId);
      if (!job) throw new UserInputError(`no job ${JSON.stringify(opts.jobId)} in queue ${name}`);
      const state = await job.getState();
      if (state !== 'failed') {
        throw new UserInputError(
          `job ${opts.jobId} of ${name} is ${state}, not failed; only failed jobs are re-queued`,
        );
      }
      await job.retry('failed');
      say(`Re-queued job ${opts.jobId} of ${name}.`);
      return 1;
    } finally {
      await queue.close();
    }
  });
}

export type RepoCommandOptions = OpsBase & { name: string; configFile?: string | undefined };

export async function pauseCommand(opts: RepoCommandOptions): Promise<void> {
  const say = (line: string) => opts.out.write(`${line}\n`);
  repoName(opts.name);
  const server = await serverConfig(opts);
  if (server) configuredRepo(server, opts.name);
  await withRedis(opts.env, async ({ config, redis }) => {
    const changed = await new RepoPauses(redis, config.prefix).pause(opts.name);
    say(
      changed
        ? `Paused ${opts.name}: it starts no new run, and its fix batches wait until \`selfreview resume ${opts.name}\`.`
        : `${opts.name} was already paused.`,
    );
  });
}

export async function resumeCommand(opts: RepoCommandOptions): Promise<void> {
  const say = (line: string) => opts.out.write(`${line}\n`);
  repoName(opts.name);
  const server = await serverConfig(opts);
  const repo = server ? configuredRepo(server, opts.name) : null;
  await withRedis(opts.env, async ({ config, redis }) => {
    const changed = await new RepoPauses(redis, config.prefix).resume(opts.name);
    const was = changed ? `Resumed ${opts.name}` : `${opts.name} was not paused`;
    if (!repo) {
      say(
        `${was}. No catch-up scan queued: no server configuration (give --config FILE or SELFREVIEW_SERVER_CONFIG to queue one).`,
      );
      return;
    }
    const trigger = createQueue('trigger', redis, config.prefix);
    try {
      // Pushes while paused started nothing: a full scan catches up on all of them.
      const data: TriggerJob = { kind: 'manual', repo: repoTarget(repo), source: 'resume' };
      const job = await trigger.add('manual', data);
      say(`${was}; queued a full scan (trigger job ${job.id}) to catch up on anything pushed while paused.`);
    } finally {
      await trigger.close();
    }
  });
}

function queueName(name: string): AnyQueueName {
  if (!(ALL_QUEUES as readonly string[]).includes(name)) {
    throw new UserInputError(`unknown queue ${JSON.stringify(name)}; queues: ${ALL_QUEUES.join(', ')}`);
  }
  return name as AnyQueueName;
}

function repoName(name: string): void {
  if (!NAME.test(name)) {
    throw new UserInputError(
      `${JSON.stringify(name)} is not a repository name (1-64 letters, digits, _ . or -)`,
    );
  }
}

async function serverConfig(opts: RepoCommandOptions): Promise<ServerConfig | null> {
  const file = opts.configFile ?? (opts.env.SELFREVIEW_SERVER_CONFIG || undefined);
  return file ? loadServerConfig(file) : null;
}

function configuredRepo(config: ServerConfig, name: string): ServerRepo {
  const repo = config.repositories.find((r) => r.name === name);
  if (!repo) {
    const names = config.repositories.map((r) => r.name).join(', ') || 'none';
    throw new UserInputError(
      `no repository ${JSON.stringify(name)} in the server configuration (configured: ${names})`,
    );
  }
  return repo;
}

/** The installation's Redis, or one line saying it does not answer; always disconnected after. */
async function withRedis<T>(
  env: NodeJS.ProcessEnv,
  fn: (ctx: { config: ServiceConfig; redis: Redis; where: string }) => Promise<T>,
): Promise<T> {
  const config = loadConfig(env);
  const where = redisLocation(config.redisUrl);
  const redis = createRedis(config.redisUrl, 'producer');
  let lastError = '';
  redis.on('error', (err: Error) => {
    lastError = err.message;
  });
  try {
    try {
      await waitForReady(redis, READY_TIMEOUT_MS);
    } catch {
      throw new SelfreviewError(
        `Redis at ${where} did not answer within ${READY_TIMEOUT_MS / 1000} s${lastError ? ` (${lastError})` : ''}; check REDIS_URL`,
      );
    }
    return await fn({ config, redis, where });
  } finally {
    redis.disconnect();
  }
}

/** Host and port only: a REDIS_URL may carry a password. */
function redisLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** Left-aligned first and text columns, right-aligned numbers. */
function table(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (/^\d+$/.test(cell) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
