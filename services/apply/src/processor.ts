/**
 * The apply job: judge a group of files' candidates with each file's current text, record every
 * decision, and keep the `fix` ones for the hand-over to fix.
 */

import { defaultRepoConfig } from '@selfreview/shared/config';
import type { RunCoordinator } from '@selfreview/shared/coordinator';
import type { Logger } from '@selfreview/shared/logger';
import type { FindingMemory } from '@selfreview/shared/memory';
import type { BudgetScope } from '@selfreview/shared/model/budget';
import type { ModelSetup } from '@selfreview/shared/model/setup';
import type { ApplyJob, FixJob } from '@selfreview/shared/queues';
import { loadRepoConfigAt } from '@selfreview/shared/repo-files';
import type { Candidate, Decision, FixItem } from '@selfreview/shared/schemas';
import type { JobRepositories, ProcessContext } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import { type Queue, UnrecoverableError } from 'bullmq';
import type { RepoIndexCache } from './context.ts';
import { judgeFiles } from './judge-file.ts';
import {
  applyOpinion,
  buildOpinionPrompt,
  OPINION_TOOL,
  OPINION_TOOL_NAME,
  OpinionInput,
  wantsSecondOpinion,
} from './second-opinion.ts';

export type ApplyDeps = {
  /** Records the decisions and, when this is the run's last scan or apply job, hands over to fix. */
  coordinator: RunCoordinator;
  fixQueue: Queue<FixJob>;
  llmAvailable: boolean;
  /** Second opinions on ambiguous candidates; absent without a model. */
  model?: ModelSetup;
  memory: FindingMemory;
  indexes: RepoIndexCache;
  /** Repositories opened and configs read, kept for the worker's life. */
  repositories: JobRepositories;
};

export type ApplyResult = { files: number; fix: number; drop: number; defer: number };

export function createApplyProcessor(deps: ApplyDeps) {
  return async (data: ApplyJob, { job, log }: ProcessContext): Promise<ApplyResult> => {
    const started = Date.now();
    const { repo, config } = await deps.repositories.open(data.repo.path, data.baseSha);
    // "Still there?" is asked at the branch's tip now: a push since the scan may have
    // fixed or moved the finding. A branch that is gone falls back to the scanned commit.
    const headSha = (await repo.branchTip(data.baseBranch).catch(() => null)) ?? data.baseSha;
    const candidates = data.files.flatMap((f) => f.candidates);
    const memory = await deps.memory.recall(
      data.repo.path,
      candidates.map((c) => c.id),
    );
    const judgedFiles = await judgeFiles({
      repo,
      config,
      files: data.files,
      baseSha: data.baseSha,
      headSha,
      memory,
      indexes: deps.indexes,
      llmAvailable: deps.llmAvailable,
    });
    const byId = new Map(candidates.map((c) => [c.id, c]));
    const decisions: Decision[] = [];
    const fixable = new Map<string, FixItem[]>();
    for (const judged of judgedFiles) {
      const fileDecisions =
        deps.model && config.llm.secondOpinion
          ? await withSecondOpinions(deps.model, judged.decisions, {
              byId,
              fileText: judged.fileText,
              threshold: config.apply.confidenceThreshold,
              scope: { repo: repo.root, runId: data.runId, batchId: 'apply', limits: config.llm.budgets },
              maxTokens: Math.min(1024, config.llm.maxOutputTokens),
              log,
            })
          : judged.decisions;
      decisions.push(...fileDecisions);
      fixable.set(
        judged.file,
        fileDecisions.flatMap((d) => {
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
        }),
      );
    }
    const { coordinator } = deps;
    await coordinator.runs.putApplyResults(data.runId, {
      decisions,
      fixable,
      startMs: started,
      endMs: Date.now(),
    });

    const run = { runId: data.runId, repo: data.repo, baseBranch: data.baseBranch, baseSha: data.baseSha };
    const batches = await coordinator.closeStageJob(
      deps.fixQueue,
      { stage: 'apply', jobId: String(job.id), run },
      config.fix.maxFiles,
    );
    if (batches !== null) log.info({ batches }, 'handed over to fix');
    const count = (v: Decision['verdict']) => decisions.filter((d) => d.verdict === v).length;
    return { files: data.files.length, fix: count('fix'), drop: count('drop'), defer: count('defer') };
  };
}

/**
 * What happens to an apply job that failed for good (startWorker's onFinalFailure). A job of
 * several files is split: each file goes back to apply as a job of its own, so one file whose
 * judgement keeps failing loses only its own decisions. A job of one file, or one that failed
 * unrecoverably (the repository or its config, which would fail every file alike), leaves a
 * warning per file. Either way the failed job is closed, and the run's last job hands over to fix.
 */
export function createApplyFailureHandler(deps: {
  coordinator: RunCoordinator;
  fixQueue: Queue<FixJob>;
  applyQueue: Queue<ApplyJob>;
}) {
  return async (data: ApplyJob, { job, log }: ProcessContext, err: Error): Promise<void> => {
    const { coordinator } = deps;
    if (data.files.length > 1 && !(err instanceof UnrecoverableError)) {
      const jobs = await coordinator.splitApplyJob(deps.applyQueue, data);
      log.warn({ jobs }, 'apply job split: each of its files goes back to apply alone');
    } else {
      await coordinator.runs.addWarnings(
        data.runId,
        data.files.map((f) => `apply failed for ${f.file}: ${err.message}`),
      );
    }
    const run = { runId: data.runId, repo: data.repo, baseBranch: data.baseBranch, baseSha: data.baseSha };
    // Read only by the job that hands over. The failure may be the config itself: the defaults then.
    const maxFiles = async () =>
      (
        await Repository.open(data.repo.path)
          .then((repo) => loadRepoConfigAt(repo, data.baseSha))
          .catch(() => defaultRepoConfig())
      ).fix.maxFiles;
    await coordinator.closeStageJob(deps.fixQueue, { stage: 'apply', jobId: String(job.id), run }, maxFiles);
  };
}

/**
 * Asks the model about each ambiguous decision, one call each, inside the run's budgets. A
 * call that cannot be made or answered leaves the decision as the rules made it.
 */
async function withSecondOpinions(
  model: ModelSetup,
  decisions: readonly Decision[],
  ctx: {
    byId: ReadonlyMap<string, Candidate>;
    fileText: string | null;
    threshold: number;
    scope: Omit<BudgetScope, 'itemId'>;
    maxTokens: number;
    log: Logger;
  },
): Promise<Decision[]> {
  const out: Decision[] = [];
  for (const decision of decisions) {
    const candidate = ctx.byId.get(decision.candidateId);
    if (!candidate || ctx.fileText === null || !wantsSecondOpinion(decision, ctx.threshold)) {
      out.push(decision);
      continue;
    }
    const prompt = buildOpinionPrompt(candidate, ctx.fileText, model.secrets);
    const result = await model.client.call(
      { ...ctx.scope, itemId: candidate.id },
      { ...prompt, tools: [OPINION_TOOL], toolName: OPINION_TOOL_NAME, maxTokens: ctx.maxTokens },
      { deadline: Date.now() + 120_000 },
    );
    if (!result.ok) {
      ctx.log.info({ candidate: candidate.id, reason: result.reason }, `no second opinion: ${result.detail}`);
      out.push(decision);
      continue;
    }
    const call = result.answer.content.find(
      (b): b is { type: 'tool_use'; id: string; name: string; input: unknown } =>
        b.type === 'tool_use' && (b as { name?: string }).name === OPINION_TOOL_NAME,
    );
    const opinion = result.answer.stop_reason === 'max_tokens' ? null : OpinionInput.safeParse(call?.input);
    if (!opinion?.success) {
      ctx.log.info({ candidate: candidate.id }, 'second opinion ignored: cut off or malformed');
      out.push(decision);
      continue;
    }
    out.push(applyOpinion(decision, opinion.data, ctx.threshold));
  }
  return out;
}
