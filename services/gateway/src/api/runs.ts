/** `/api/runs`: recent runs, each with its stages' progress, and a run's report. */
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { buildReport } from '@selfreview/shared/report';
import type { RunStore } from '@selfreview/shared/runs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type ApiDeps, HttpError, limit, parse, RunId } from './http.ts';

const RunsQuery = z.object({ limit: limit(20, 200) }).strict();
const RunParams = z.object({ runId: RunId });

export function runRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const lifecycle = new RunLifecycle(deps.redis, deps.prefix);

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
