import type { Candidate, Decision, RuleId } from '@selfreview/shared/schemas';
import { todoCommentJudgement } from './todo-comment.ts';
import type { JudgeContext, Judgement } from './types.ts';
import { isDeclarationFile, unusedImportJudgement } from './unused-import.ts';

export type { JudgeContext, Judgement, Verdict } from './types.ts';

export const JUDGEMENTS: Readonly<Record<RuleId, Judgement>> = {
  'unused-import': unusedImportJudgement,
  'todo-comment': todoCommentJudgement,
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

const GENERATED_DIRS = new Set(['dist', 'build', 'out', 'generated', '__generated__']);
// The `@generated` convention (Meta, Relay, GraphQL codegen) and the common
// "DO NOT EDIT" banner.
const GENERATED_MARKER = /@generated(?![\w-])|\bDO NOT EDIT\b/;

/**
 * Whether a file is produced by a tool rather than written by hand: edits there are
 * overwritten on the next build. Only the head of the file is read, because a marker
 * deep inside is more likely a string or a comment about generated code.
 */
export function isGeneratedFile(file: string, text: string | null): boolean {
  if (isDeclarationFile(file)) return true;
  const dirs = file.split('/').slice(0, -1);
  if (dirs.some((dir) => GENERATED_DIRS.has(dir))) return true;
  if (text === null) return false;
  const head = text.slice(0, 1000).split('\n').slice(0, 5).join('\n');
  return GENERATED_MARKER.test(head);
}
