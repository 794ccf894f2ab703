import type { Candidate, Decision, RuleId } from '@selfreview/shared/schemas';
import { notYetJudged } from './not-yet-judged.ts';
import { todoCommentJudgement } from './todo-comment.ts';
import type { JudgeContext, Judgement } from './types.ts';
import { unusedImportJudgement } from './unused-import.ts';

export type { JudgeContext, Judgement, Verdict } from './types.ts';

export const JUDGEMENTS: Readonly<Record<RuleId, Judgement>> = {
  'unused-import': unusedImportJudgement,
  'todo-comment': todoCommentJudgement,
  'unused-local': notYetJudged('unused-local'),
  'unused-parameter': notYetJudged('unused-parameter'),
  'undefined-identifier': notYetJudged('undefined-identifier'),
  'long-function': notYetJudged('long-function'),
  'deep-nesting': notYetJudged('deep-nesting'),
  'untested-export': notYetJudged('untested-export'),
};

export interface JudgeOptions {
  /** The lowest confidence at which a `fix` still goes to the fix queue. */
  threshold: number;
}

/**
 * Judges one candidate with its rule's judgement. A `fix` below the threshold becomes a
 * `drop` (`low_confidence`) that keeps its confidence, so the report shows how close it
 * came; `drop` and `defer` are never promoted or demoted.
 */
export function judgeCandidate(
  candidate: Candidate,
  ctx: JudgeContext,
  { threshold }: JudgeOptions,
): Decision {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be within [0, 1], got ${threshold}`);
  }
  const verdict = JUDGEMENTS[candidate.rule].judge(candidate, ctx);
  if (verdict.verdict === 'fix' && verdict.confidence < threshold) {
    const { changeType: _, ...rest } = verdict;
    return {
      ...rest,
      candidateId: candidate.id,
      verdict: 'drop',
      reason: 'low_confidence',
      detail: `${verdict.detail} Not queued: confidence ${verdict.confidence} is below the threshold ${threshold} (${verdict.reason}).`,
    };
  }
  return { candidateId: candidate.id, ...verdict };
}

/** Re-exported: scan skips generated files, apply drops findings in them; one definition. */
export { isGeneratedFile } from '@selfreview/shared/repo-files';
