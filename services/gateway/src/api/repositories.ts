/**
 * `/api/repositories`: the configured repositories, their findings and fixes run by run, and
 * the operators' actions on one: pause, resume (with a catch-up scan) and a manual scan.
 */
import type { TriggerJob } from '@selfreview/shared/queues';
import type { RunStore } from '@selfreview/shared/runs';
import type { Candidate } from '@selfreview/shared/schemas';
import { repoTarget, type ServerRepo } from '@selfreview/shared/server-config';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type ApiDeps, EmptyBody, HttpError, limit, parse, RepoName } from './http.ts';

/** How far back the run index is searched for one repository's runs. */
const RUN_SEARCH_WINDOW = 200;

const RepoParams = z.object({ name: RepoName });
const RepoRunsQuery = z.object({ runs: limit(5, 50) }).strict();

export function repositoryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const repositoryOf = (name: string): ServerRepo => {
    const repo = deps.serverConfig.repositories.find((r) => r.name === name);
    if (!repo) throw new HttpError(404, `no repository ${JSON.stringify(name)} in the server configuration`);
    return repo;
  };

  const manualTrigger = (repo: ServerRepo, source: string) => {
    const data: TriggerJob = { kind: 'manual', repo: repoTarget(repo), source };
    return (deps.queues.trigger as Queue<TriggerJob>).add('manual', data);
  };

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

  /** The repository a request names (one of the configuration's) and its newest runs (`?runs=`). */
  const namedRuns = async (req: FastifyRequest) => {
    const { name } = parse(RepoParams, req.params, 'params');
    const query = parse(RepoRunsQuery, req.query, 'query');
    repositoryOf(name);
    return { name, runs: await repositoryRuns(deps.runs, name, query.runs) };
  };

  app.get('/repositories/:name/findings', async (req) => {
    const { name, runs } = await namedRuns(req);
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
    const { name, runs } = await namedRuns(req);
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
