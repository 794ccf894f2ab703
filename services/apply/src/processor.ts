/**
 * The apply job: judge one file's candidates with the file's current text,
 * record every decision, and keep the `fix` ones for the hand-over to fix.
 */

import type { RunCoordinator } from '@selfreview/shared/coordinator';
import type { Logger } from '@selfreview/shared/logger';
import type { FindingMemory } from '@selfreview/shared/memory';
import type { BudgetScope } from '@selfreview/shared/model/budget';
import type { ModelSetup } from '@selfreview/shared/model/setup';
import type { ApplyJob, FixJob } from '@selfreview/shared/queues';
import type { Candidate, Decision, FixItem } from '@selfreview/shared/schemas';
import { openJobRepository, type ProcessContext } from '@selfreview/shared/worker';
import type { Queue } from 'bullmq';
import type { RepoIndexCache } from './context.ts';
import { judgeFile } from './judge-file.ts';
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
    const judged: Decision[] = await judgeFile({
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
    const decisions =
      deps.model && config.llm.secondOpinion
        ? await withSecondOpinions(deps.model, judged, {
            byId,
            fileText: await repo.readFile(headSha, data.file),
            threshold: config.apply.confidenceThreshold,
            scope: { repo: repo.root, runId: data.runId, batchId: 'apply', limits: config.llm.budgets },
            maxTokens: Math.min(1024, config.llm.maxOutputTokens),
            log,
          })
        : judged;
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
    const { coordinator } = deps;
    await coordinator.runs.putDecisions(data.runId, decisions);
    await coordinator.runs.putFixable(data.runId, data.file, items);
    await coordinator.runs.markStage(data.runId, 'apply', started, Date.now());

    const run = { runId: data.runId, repo: data.repo, baseBranch: data.baseBranch, baseSha: data.baseSha };
    const batches = await coordinator.closeStageJob(
      deps.fixQueue,
      { stage: 'apply', jobId: String(job.id), run },
      config.fix.maxFiles,
    );
    if (batches !== null) log.info({ batches }, 'handed over to fix');
    const count = (v: Decision['verdict']) => decisions.filter((d) => d.verdict === v).length;
    return { fix: count('fix'), drop: count('drop'), defer: count('defer') };
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
