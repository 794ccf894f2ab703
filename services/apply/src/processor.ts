/**
 * The apply job: judge one file's candidates with the file's current text,
 * record every decision, and keep the `fix` ones for the hand-over to fix.
 */

import type { FindingMemory } from '@selfreview/shared/memory';
import { handOverToFix } from '@selfreview/shared/pipeline';
import type { ApplyJob, FixJob } from '@selfreview/shared/queues';
import type { RunStore } from '@selfreview/shared/runs';
import type { Decision, FixItem } from '@selfreview/shared/schemas';
import { openJobRepository, type ProcessContext } from '@selfreview/shared/worker';
import type { Queue } from 'bullmq';
import type { RepoIndexCache } from './context.ts';
import { judgeFile } from './judge-file.ts';

export type ApplyDeps = {
  runs: RunStore;
  fixQueue: Queue<FixJob>;
  llmAvailable: boolean;
  memory: FindingMemory;
  indexes: RepoIndexCache;
};

export type ApplyResult = { fix: number; drop: number; defer: number };

export function createApplyProcessor(deps: ApplyDeps) {
  return async (data: ApplyJob, { job, log }: ProcessContext): Promise<ApplyResult> => {
    const started = Date.now();
    const { repo, config } = await openJobRepository(data.repo.path, data.baseSha);
    // "Still there?" is asked at the branch's tip now: a push since the scan may have
    // fixed or moved the finding. A branch that is gone falls back to the scanned commit.
    const headSha = (await repo.branchTip(data.baseBranch).catch(() => null)) ?? data.baseSha;
    const memory = await deps.memory.recall(
      data.repo.path,
      data.candidates.map((c) => c.id),
    );
    const decisions: Decision[] = await judgeFile({
      repo,
      config,
      file: data.file,
      candidates: data.candidates,
      baseSha: data.baseSha,
      headSha,
      memory,
      indexes: deps.indexes,
      llmAvailable: deps.llmAvailable,
    });
    const byId = new Map(data.candidates.map((c) => [c.id, c]));
    const items: FixItem[] = decisions.flatMap((d) => {
      const candidate = byId.get(d.candidateId);
      return d.verdict === 'fix' && d.changeType && candidate
        ? [
            {
              candidate,
              changeType: d.changeType,
              confidence: d.confidence,
              ...(d.importFrom ? { importFrom: d.importFrom } : {}),
            },
          ]
        : [];
    });
    await deps.runs.putDecisions(data.runId, decisions);
    await deps.runs.putFixable(data.runId, data.file, items);
    await deps.runs.markStage(data.runId, 'apply', started, Date.now());

    if (await deps.runs.closeAndClaimHandOver(data.runId, 'apply', String(job.id))) {
      const run = { runId: data.runId, repo: data.repo, baseBranch: data.baseBranch, baseSha: data.baseSha };
      const batches = await handOverToFix({
        runs: deps.runs,
        fixQueue: deps.fixQueue,
        run,
        maxFiles: config.fix.maxFiles,
      });
      log.info({ batches }, 'handed over to fix');
    }
    const count = (v: Decision['verdict']) => decisions.filter((d) => d.verdict === v).length;
    return { fix: count('fix'), drop: count('drop'), defer: count('defer') };
  };
}
