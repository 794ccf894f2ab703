/**
 * Process plumbing shared by the three services: typed queues from the
 * catalog, a worker whose processor receives a validated payload, and a
 * graceful shutdown on SIGINT/SIGTERM that lets the current job finish.
 */
import { DelayedError, type Job, Queue, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RepoConfig, ServiceConfig } from './config.ts';
import { UserInputError } from './errors.ts';
import { jobLogger, type Logger } from './logger.ts';
import { type AnyQueueName, type JobPayload, QUEUES } from './queues.ts';
import { createRedis } from './redis.ts';
import { loadRepoConfigAt } from './repo-files.ts';
import { Repository } from './workspace.ts';

export function createQueue<Q extends AnyQueueName>(
  name: Q,
  connection: Redis,
  prefix: string,
): Queue<JobPayload<Q>> {
  return new Queue<JobPayload<Q>>(name, {
    connection,
    prefix,
    defaultJobOptions: QUEUES[name].defaultJobOptions,
  });
}

/** `token` is the worker's lock token for the job (needed to move it back to delayed). */
export type ProcessContext = { job: Job; log: Logger; token?: string | undefined };

export type StageProcessor<Q extends AnyQueueName> = (
  data: JobPayload<Q>,
  ctx: ProcessContext,
) => Promise<unknown>;

/** Parses the payload with the catalog's schema; a malformed payload will never succeed, so no retries. */
export function parsePayload<Q extends AnyQueueName>(queue: Q, data: unknown): JobPayload<Q> {
  const parsed = QUEUES[queue].payload.safeParse(data);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UnrecoverableError(`invalid ${queue} payload: ${where}`);
  }
  return parsed.data as JobPayload<Q>;
}

export function startWorker<Q extends AnyQueueName>(opts: {
  queue: Q;
  config: ServiceConfig;
  log: Logger;
  processor: StageProcessor<Q>;
  /**
   * Called once when a job fails for good (no retry left, or unrecoverable),
   * before BullMQ records the failure: the run's bookkeeping must not wait for it.
   */
  onFinalFailure?: (data: JobPayload<Q>, ctx: ProcessContext, err: Error) => Promise<void>;
  workerOptions?: Partial<WorkerOptions>;
}): Worker {
  const connection = createRedis(opts.config.redisUrl, 'worker');
  connection.on('error', (err) => opts.log.warn({ err: err.message }, 'redis connection error'));
  const worker = new Worker(
    opts.queue,
    async (job: Job, token?: string) => {
      const data = parsePayload(opts.queue, job.data);
      // Trigger jobs come before a run exists and may name a repository by URL only.
      const ref = data as { runId?: string; repo: { path?: string; url?: string; name?: string } };
      const log = jobLogger(opts.log, {
        runId: ref.runId ?? '-',
        jobId: job.id,
        repo: ref.repo.path ?? ref.repo.name ?? '-',
      });
      log.info({ attempt: job.attemptsMade + 1 }, 'job started');
      const started = Date.now();
      try {
        const result = await opts.processor(data, { job, log, token });
        log.info({ durationMs: Date.now() - started }, 'job finished');
        return result;
      } catch (err) {
        // Moved back to delayed on purpose (e.g. its repository is busy): not a failure.
        if (err instanceof DelayedError) {
          log.info({ durationMs: Date.now() - started }, 'job delayed');
          throw err;
        }
        const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        log.warn({ err: (err as Error).message, final, durationMs: Date.now() - started }, 'job failed');
        if (final && opts.onFinalFailure) {
          await opts
            .onFinalFailure(data, { job, log }, err as Error)
            .catch((hookErr: Error) =>
              log.error({ err: hookErr.message }, 'final-failure bookkeeping failed'),
            );
        }
        throw err;
      }
    },
    {
      connection,
      prefix: opts.config.prefix,
      concurrency: opts.config.concurrency,
      // A dead worker's job is found stalled and handed to another within about twice this.
      lockDuration: opts.config.jobLockSeconds * 1000,
      stalledInterval: opts.config.jobLockSeconds * 1000,
      ...opts.workerOptions,
    },
  );
  worker.on('error', (err) => opts.log.error({ err: err.message }, 'worker error'));
  return worker;
}

/**
 * First signal: stop taking jobs and wait for the current one (BullMQ keeps its
 * lock renewed meanwhile). Second signal: leave at once; the job's lock then
 * expires and another worker takes it over as stalled, so nothing is lost.
 */
export function handleShutdown(log: Logger, closers: (() => Promise<unknown>)[]): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    (async () => {
      for (const close of closers) await close();
    })()
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err: Error) => {
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * The repository a job names, and its config at the job's base commit. A missing
 * repository or an invalid config file won't fix itself on retry: unrecoverable.
 */
export async function openJobRepository(
  repoPath: string,
  sha: string,
): Promise<{ repo: Repository; config: RepoConfig }> {
  let repo: Repository;
  try {
    repo = await Repository.open(repoPath);
  } catch (err) {
    if (err instanceof UserInputError) throw new UnrecoverableError(err.message);
    throw err;
  }
  try {
    return { repo, config: await loadRepoConfigAt(repo, sha) };
  } catch (err) {
    if (err instanceof UserInputError) throw new UnrecoverableError(err.message);
    throw err;
  }
}
