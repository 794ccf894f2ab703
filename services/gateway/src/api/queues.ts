/**
 * `/api/queues`: each queue's depths, its failed jobs (references only), and the operators'
 * re-queueing of one failed job or all of a queue's.
 */
import { ALL_QUEUES, type AnyQueueName } from '@selfreview/shared/queues';
import type { Job, Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { jobCounts } from '../queues.ts';
import { type ApiDeps, EmptyBody, HttpError, JobIdParam, limit, parse, QueueParam } from './http.ts';

const QueueParams = z.object({ queue: QueueParam });
const JobParams = z.object({ queue: QueueParam, id: JobIdParam });
const FailedQuery = z.object({ limit: limit(20, 200) }).strict();

export function queueRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const queueOf = (name: string): Queue => {
    if (!(ALL_QUEUES as readonly string[]).includes(name)) {
      throw new HttpError(404, `no queue ${JSON.stringify(name)}; queues: ${ALL_QUEUES.join(', ')}`);
    }
    return deps.queues[name as AnyQueueName] as Queue;
  };

  app.get('/queues', async () => ({
    queues: await Promise.all(
      ALL_QUEUES.map(async (name) => {
        const queue = deps.queues[name] as Queue;
        const [counts, paused] = await Promise.all([jobCounts(queue), queue.isPaused()]);
        return { name, paused, counts };
      }),
    ),
  }));

  app.get('/queues/:queue/failed', async (req) => {
    const params = parse(QueueParams, req.params, 'params');
    const query = parse(FailedQuery, req.query, 'query');
    const queue = queueOf(params.queue);
    const [total, jobs] = await Promise.all([queue.getFailedCount(), queue.getFailed(0, query.limit - 1)]);
    return { queue: params.queue, total, jobs: jobs.map(failedJobSummary) };
  });

  app.post(
    '/queues/:queue/jobs/:id/retry',
    { config: { summary: 're-queue one failed job', audit: 'queue.job.retry' } },
    async (req) => {
      const params = parse(JobParams, req.params, 'params');
      parse(EmptyBody, req.body, 'body');
      const queue = queueOf(params.queue);
      const job = await queue.getJob(params.id);
      if (!job) throw new HttpError(404, `no job ${params.id} in queue ${params.queue}`);
      const state = await job.getState();
      if (state !== 'failed') throw new HttpError(409, `job ${params.id} is ${state}, not failed`);
      try {
        await job.retry('failed');
      } catch (err) {
        // Retried or removed by someone else between the check and now.
        throw new HttpError(409, `job ${params.id} could not be retried: ${(err as Error).message}`);
      }
      return { queue: params.queue, id: params.id, retried: true };
    },
  );

  app.post(
    '/queues/:queue/retry-failed',
    { config: { summary: "re-queue all of a queue's failed jobs", audit: 'queue.retry-failed' } },
    async (req) => {
      const params = parse(QueueParams, req.params, 'params');
      parse(EmptyBody, req.body, 'body');
      const queue = queueOf(params.queue);
      const retried = await queue.getFailedCount();
      if (retried > 0) await queue.retryJobs({ state: 'failed' });
      return { queue: params.queue, retried };
    },
  );
}

/** Only references: never the rest of the payload (a trigger's URL, fix items' code). */
function failedJobSummary(job: Job) {
  const data = (job.data ?? {}) as {
    runId?: unknown;
    batchId?: unknown;
    file?: unknown;
    files?: unknown;
    repo?: { name?: unknown; path?: unknown };
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  // An apply job's files, or a fix batch's: their paths only.
  const files = Array.isArray(data.files)
    ? data.files.flatMap((f: unknown) => {
        const file = str((f as { file?: unknown } | null)?.file);
        return file === undefined ? [] : [file];
      })
    : [];
  const repo = {
    ...(str(data.repo?.name) ? { name: str(data.repo?.name) } : {}),
    ...(str(data.repo?.path) ? { path: str(data.repo?.path) } : {}),
  };
  return {
    id: job.id,
    name: job.name,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    finishedOn: job.finishedOn ?? null,
    data: {
      ...(str(data.runId) ? { runId: str(data.runId) } : {}),
      ...(str(data.batchId) ? { batchId: str(data.batchId) } : {}),
      ...(str(data.file) ? { file: str(data.file) } : {}),
      ...(files.length > 0 ? { files } : {}),
      ...(Object.keys(repo).length > 0 ? { repo } : {}),
    },
  };
}
