/**
 * The operators' JSON API under `/api`: recent runs and their reports, the configured
 * repositories with their findings and fixes, pause and resume, manual scans, queue depths and
 * failed jobs, re-queueing those, and the audit log. The dashboard is read-only, so every
 * operator action is here. Authentication, the cross-site check and the audit entries are the
 * app's (see app.ts); here every parameter is checked, and errors are `{ error }` with a status
 * that says whose fault it is: 400 bad input, 404 unknown thing, 409 wrong state, 503 no Redis.
 */
import { RunLifecycle } from '@selfreview/shared/coordinator';
import type { RepoPauses } from '@selfreview/shared/pauses';
import { ALL_QUEUES, type AnyQueueName, type TriggerJob } from '@selfreview/shared/queues';
import type { Redis } from '@selfreview/shared/redis';
import { buildReport } from '@selfreview/shared/report';
import type { RunStore } from '@selfreview/shared/runs';
import type { Candidate } from '@selfreview/shared/schemas';
import { repoTarget, type ServerConfig, type ServerRepo } from '@selfreview/shared/server-config';
import type { Job, Queue } from 'bullmq';
import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from './audit.ts';
import { type GatewayQueues, jobCounts } from './queues.ts';

export type ApiDeps = {
  queues: GatewayQueues;
  runs: RunStore;
  pauses: RepoPauses;
  serverConfig: ServerConfig;
  redis: Redis;
  prefix: string;
  audit: AuditLog;
};

/** How far back the run index is searched for one repository's runs. */
const RUN_SEARCH_WINDOW = 200;

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const RunId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, _ or -');
const RepoName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, _ . or -');
const QueueParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a queue name');
const JobIdParam = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'expected a job id');
const limit = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const RunsQuery = z.object({ limit: limit(20, 200) }).strict();
const RunParams = z.object({ runId: RunId });
const RepoParams = z.object({ name: RepoName });
const RepoRunsQuery = z.object({ runs: limit(5, 50) }).strict();
const QueueParams = z.object({ queue: QueueParam });
const JobParams = z.object({ queue: QueueParam, id: JobIdParam });
const FailedQuery = z.object({ limit: limit(20, 200) }).strict();
const AuditQuery = z.object({ limit: limit(50, 1000) }).strict();
/** The POSTs take no options: no body, or an empty JSON object. */
const EmptyBody = z.object({}).strict().nullish();

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value ?? (what === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.map(String).join('.');
    return `${keys || what}: ${i.message}`;
  });
  throw new HttpError(400, `invalid ${what}: ${issues.join('; ')}`);
}

export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.setErrorHandler((err: Error, _req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.message });
    const status = (err as FastifyError).statusCode;
    // Fastify's own refusals (unsupported media type, malformed JSON): the client's to fix.
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ error: err.message });
    if (deps.redis.status !== 'ready') {
      return reply.code(503).send({ error: `redis unavailable: ${err.message}` });
    }
    return reply.code(500).send({ error: err.message });
  });

  // The index (`GET /api`), from the routes themselves, so it cannot drift from them. The
  // actions say what they do; what the reads return is in the names and the README.
  const index: { method: string; path: string; summary?: string; audit?: string }[] = [];
  app.addHook('onRoute', (route) => {
    const config = route.config as { summary?: string; audit?: string } | undefined;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      index.push({
        method,
        path: route.url ?? route.path,
        ...(config?.summary ? { summary: config.summary } : {}),
        ...(config?.audit ? { audit: config.audit } : {}),
      });
    }
  });

  const lifecycle = new RunLifecycle(deps.redis, deps.prefix);

  const queueOf = (name: string): Queue => {
    if (!(ALL_QUEUES as readonly string[]).includes(name)) {
      throw new HttpError(404, `no queue ${JSON.stringify(name)}; queues: ${ALL_QUEUES.join(', ')}`);
    }
    return deps.queues[name as AnyQueueName] as Queue;
  };

  const repositoryOf = (name: string): ServerRepo => {
    const repo = deps.serverConfig.repositories.find((r) => r.name === name);
    if (!repo) throw new HttpError(404, `no repository ${JSON.stringify(name)} in the server configuration`);
    return repo;
  };

  const manualTrigger = (repo: ServerRepo, source: string) => {
    const data: TriggerJob = { kind: 'manual', repo: repoTarget(repo), source };
    return (deps.queues.trigger as Queue<TriggerJob>).add('manual', data);
  };

  app.get('/runs', async (req) => {
    const query = parse(RunsQuery, req.query, 'query');
    const ids = await deps.runs.recentRuns(query.limit);
    const runs = await Promise.all(ids.map((id) => runSummary(deps.runs, lifecycle, id)));
    return { runs: runs.filter((r) => r !== null) };
  });

  app.get('/runs/:runId/report', async (req) => {
    const { runId } = parse(RunParams, req.params, 'params');
    const input = await deps.runs.reportInput(runId);
    if (!input) throw new HttpError(404, `no run ${runId}`);
    // A run still in progress: its report so far, as of now.
    return buildReport({ ...input, finishedAt: input.finishedAt || new Date().toISOString() });
  });

  app.get('/repositories', async () => {
    const paused = new Set(await deps.pauses.list());
    return {
      repositories: deps.serverConfig.repositories.map((r) => ({
        name: r.name,
        branch: r.branch,
        ...(r.schedule ? { schedule: r.schedule } : {}),
        paused: paused.has(r.name),
      })),
    };
  });

  app.get('/repositories/:name/findings', async (req) => {
    const { name } = parse(RepoParams, req.params, 'params');
    const query = parse(RepoRunsQuery, req.query, 'query');
    repositoryOf(name);
    const runs = await repositoryRuns(deps.runs, name, query.runs);
    return {
      name,
      runs: await Promise.all(
        runs.map(async (run) => {
          const [candidates, decisions] = await Promise.all([
            deps.runs.candidates(run.runId),
            deps.runs.decisions(run.runId),
          ]);
          return {
            ...run,
            candidates: candidates.sort(byFileLine).map(withoutEvidence),
            decisions: decisions.sort((a, b) => a.candidateId.localeCompare(b.candidateId)),
          };
        }),
      ),
    };
  });

  app.get('/repositories/:name/fixes', async (req) => {
    const { name } = parse(RepoParams, req.params, 'params');
    const query = parse(RepoRunsQuery, req.query, 'query');
    repositoryOf(name);
    const runs = await repositoryRuns(deps.runs, name, query.runs);
    return {
      name,
      runs: await Promise.all(
        runs.map(async (run) => ({
          ...run,
          fixes: (await deps.runs.fixResults(run.runId)).sort((a, b) =>
            a.batchId === b.batchId ? (a.file < b.file ? -1 : 1) : a.batchId < b.batchId ? -1 : 1,
          ),
        })),
      ),
    };
  });

  app.post(
    '/repositories/:name/pause',
    {
      config: { summary: 'pause a repository: no new runs, its fix batches wait', audit: 'repository.pause' },
    },
    async (req) => {
      const { name } = parse(RepoParams, req.params, 'params');
      parse(EmptyBody, req.body, 'body');
      repositoryOf(name);
      await deps.pauses.pause(name);
      return { name, paused: true };
    },
  );

  app.post(
    '/repositories/:name/resume',
    { config: { summary: 'resume a repository and queue a catch-up scan', audit: 'repository.resume' } },
    async (req) => {
      const { name } = parse(RepoParams, req.params, 'params');
      parse(EmptyBody, req.body, 'body');
      const repo = repositoryOf(name);
      await deps.pauses.resume(name);
      // Pushes while paused started nothing: a full scan catches up on all of them.
      const job = await manualTrigger(repo, 'resume');
      return { name, paused: false, job: job.id };
    },
  );

  app.post(
    '/repositories/:name/scan',
    { config: { summary: 'queue a full scan of a repository', audit: 'repository.scan' } },
    async (req, reply) => {
      const { name } = parse(RepoParams, req.params, 'params');
      parse(EmptyBody, req.body, 'body');
      const repo = repositoryOf(name);
      // The trigger would be skipped anyway: say so rather than accept work that never happens.
      if (await deps.pauses.isPaused(name))
        throw new HttpError(409, `repository ${name} is paused; resume it first`);
      const job = await manualTrigger(repo, 'api');
      return reply.code(202).send({ name, status: 'queued', job: job.id });
    },
  );

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

  app.get(
    '/audit',
    { config: { summary: 'the audit log of operator actions, newest first (?limit=1..1000)' } },
    async (req) => {
      const query = parse(AuditQuery, req.query, 'query');
      return { entries: await deps.audit.recent(query.limit) };
    },
  );

  app.get('/', async () => ({
    about:
      'The selfreview API. The dashboard at /ui is read-only: retries, re-queues, pauses and resumes are these POSTs, with the same credentials; each is recorded in GET /api/audit.',
    routes: index,
  }));
}

type RunSummary = {
  runId: string;
  repoName?: string;
  repoPath: string;
  baseBranch: string;
  baseSha: string;
  startedAt: string;
  trigger?: string;
  done: boolean;
  /** Why the run ended without its work: Redis lost its state. */
  lost?: string;
  stages: {
    scan: { open: number; files: number; candidates: number };
    apply: { open: number; decisions: number };
    fix: { open: number; batches: number; results: number };
  };
};

/** null when the run's keys have expired while its id was still in the index. */
async function runSummary(
  runs: RunStore,
  lifecycle: RunLifecycle,
  runId: string,
): Promise<RunSummary | null> {
  const [meta, progress] = await Promise.all([runs.meta(runId), lifecycle.progress(runId)]);
  if (!meta) return null;
  return {
    runId,
    ...(meta.repoName ? { repoName: meta.repoName } : {}),
    repoPath: meta.repoPath,
    baseBranch: meta.baseBranch,
    baseSha: meta.baseSha,
    startedAt: meta.startedAt,
    ...(meta.trigger ? { trigger: meta.trigger } : {}),
    done: RunLifecycle.isDrained(progress),
    ...(meta.lost ? { lost: meta.lost } : {}),
    stages: {
      scan: { open: progress.open.scan, files: progress.files, candidates: progress.candidates },
      apply: { open: progress.open.apply, decisions: progress.decisions },
      fix: { open: progress.open.fix, batches: Number(meta.fixBatches ?? 0), results: progress.fixResults },
    },
  };
}

/** The newest `count` runs of one repository (by the name the trigger gave it), newest first. */
async function repositoryRuns(
  runs: RunStore,
  name: string,
  count: number,
): Promise<{ runId: string; startedAt: string; baseBranch: string; baseSha: string }[]> {
  const ids = await runs.recentRuns(RUN_SEARCH_WINDOW);
  const metas = await Promise.all(ids.map((id) => runs.meta(id)));
  const found: { runId: string; startedAt: string; baseBranch: string; baseSha: string }[] = [];
  for (const m of metas) {
    if (found.length >= count) break;
    if (m?.repoName !== name) continue;
    found.push({ runId: m.runId, startedAt: m.startedAt, baseBranch: m.baseBranch, baseSha: m.baseSha });
  }
  return found;
}

const byFileLine = (a: Candidate, b: Candidate) =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;

/** The report's view of a candidate: what and where, not the evidence (code context) behind it. */
function withoutEvidence({ id, rule, file, line, endLine, message }: Candidate) {
  return { id, rule, file, line, endLine, message };
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
