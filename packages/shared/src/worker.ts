/**
 * Process plumbing shared by the three services: typed queues from the
 * catalog, a worker whose processor receives a validated payload, and a
 * graceful shutdown on SIGINT/SIGTERM that lets the current job finish.
 */
import { existsSync } from 'node:fs';
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
 *
 * A process started by `selfreview run` or `up` has an IPC channel to it (see the CLI's
 * `spawnWorker`). When that process is gone (killed with SIGKILL, it could not stop its
 * workers) the channel closes, and this process shuts down as on SIGTERM instead of living on
 * as an orphan that takes the next run's jobs.
 */
export function handleShutdown(log: Logger, closers: (() => Promise<unknown>)[]): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals | 'parent gone') => {
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
  if (process.channel) {
    // The channel must not keep this process alive by itself.
    process.channel.unref();
    process.on('disconnect', () => {
      // The parent read this process's output: writes to it would now fail with EPIPE and
      // end the process mid-job instead of after it.
      for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
      onSignal('parent gone');
    });
  }
}

/**
 * The repository a job names, and its config at the job's base commit. A missing
 * repository or an invalid config file won't fix itself on retry: unrecoverable.
 */
export async function openJobRepository(
  repoPath: string,
  sha: string,
): Promise<{ repo: Repository; config: RepoConfig }> {
  const repo = await unrecoverableOnUserError(() => Repository.open(repoPath));
  return { repo, config: await unrecoverableOnUserError(() => loadRepoConfigAt(repo, sha)) };
}

/**
 * openJobRepository for a worker that takes many jobs of the same repositories: each repository
 * is opened once, reads its files and branch tips through one long-lived git process
 * (Repository.keepGitOpen), and has its config read once per commit (a commit's files never
 * change), for the worker's life. A folder that is gone is looked for again, so a job naming it
 * fails as openJobRepository's would. Failures are not kept: the next job tries again.
 */
export class JobRepositories {
  private readonly repos = new Map<string, Promise<Repository>>();
  private readonly configs = new Map<string, Promise<RepoConfig>>();

  constructor(private readonly capacity = 32) {}

  async open(repoPath: string, sha: string): Promise<{ repo: Repository; config: RepoConfig }> {
    if (!existsSync(repoPath)) this.repos.delete(repoPath);
    const repo = await this.remember(this.repos, repoPath, () =>
      unrecoverableOnUserError(async () => (await Repository.open(repoPath)).keepGitOpen()),
    );
    const config = await this.remember(this.configs, `${repo.root}\0${sha}`, () =>
      unrecoverableOnUserError(() => loadRepoConfigAt(repo, sha)),
    );
    return { repo, config };
  }

  /** Ends every repository's git process (at the worker's shutdown, once its jobs are done). */
  async close(): Promise<void> {
    const repos = await Promise.allSettled(this.repos.values());
    this.repos.clear();
    this.configs.clear();
    for (const r of repos) if (r.status === 'fulfilled') r.value.close();
  }

  private remember<T>(entries: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let entry = entries.get(key);
    if (entry) {
      // Most recently used last: the first key is the one dropped when full.
      entries.delete(key);
    } else {
      entry = make();
      entry.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
    }
    entries.set(key, entry);
    // A repository dropped here keeps its git process until that ends itself, idle (a job may
    // still be reading through it).
    while (entries.size > this.capacity) entries.delete(entries.keys().next().value as string);
    return entry;
  }
}

async function unrecoverableOnUserError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UserInputError) throw new UnrecoverableError(err.message);
    throw err;
  }
}
