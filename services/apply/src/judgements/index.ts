/**
 * Apply's judgement of one candidate: what holds for every finding (suppression comments,
 * ignored and protected paths, memory), then the judgement of the candidate's check, as the
 * checks' registry (@selfreview/checks) has it, then the confidence threshold.
 */
import { CHECKS, findCheck, judgeWith } from '@selfreview/checks';
import type { Candidate, Decision, RuleId } from '@selfreview/shared/schemas';
import { isSuppressed } from '../suppression.ts';
import { memoryVerdict } from './memory.ts';
import type { JudgeContext, Judgement, Verdict } from './types.ts';

export type { JudgeContext, Judgement, Verdict } from './types.ts';

/** One judgement per registered check, by check id. */
export const JUDGEMENTS: Readonly<Record<RuleId, Judgement>> = Object.fromEntries(
  CHECKS.map((check) => [
    check.id,
    { rule: check.id, judge: (candidate: Candidate, ctx: JudgeContext) => judgeWith(check, candidate, ctx) },
  ]),
);

export interface JudgeOptions {
  /** The lowest confidence at which a `fix` still goes to the fix queue. */
  threshold: number;
}

/**
 * Judges one candidate. Rules that hold for every finding come first, in the order a
 * person would ask: did someone say "leave it" (a suppression comment, the ignore globs,
 * a protected path), and what happened to it before (memory)? Then the rule's own
 * judgement. A `fix` below the threshold becomes a `drop` (`low_confidence`) that keeps its
 * confidence, so the report shows how close it came; `drop` and `defer` are never
 * promoted or demoted.
 */
export function judgeCandidate(
  candidate: Candidate,
  ctx: JudgeContext,
  { threshold }: JudgeOptions,
): Decision {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be within [0, 1], got ${threshold}`);
  }
  const early = crossCutting(candidate, ctx);
  if (early) return { candidateId: candidate.id, ...early };
  const check = findCheck(candidate.rule);
  const verdict: Verdict = check
    ? judgeWith(check, candidate, ctx)
    : {
        verdict: 'defer',
        reason: 'unknown_check',
        detail: `No check '${candidate.rule}' is registered; scan and apply disagree.`,
        confidence: 0,
      };
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

function crossCutting(candidate: Candidate, ctx: JudgeContext): Verdict | undefined {
  const scanned = ctx.scannedText ?? ctx.fileText;
  if (scanned !== null && isSuppressed(scanned, candidate.line, candidate.rule)) {
    return {
      verdict: 'drop',
      reason: 'suppressed',
      detail: `A selfreview-ignore comment in ${candidate.file} covers this ${candidate.rule} finding.`,
      confidence: 1,
    };
  }
  if (ctx.ignoredPath) {
    return {
      verdict: 'drop',
      reason: 'ignored_path',
      detail: `${candidate.file} matches the ignore globs.`,
      confidence: 1,
    };
  }
  if (ctx.protectedPath) {
    return {
      verdict: 'drop',
      reason: 'protected_path',
      detail: `${candidate.file} is a protected path; selfreview never changes it.`,
      confidence: 1,
    };
  }
  return memoryVerdict(ctx.memory, ctx.now, ctx.memoryDays);
}

/** Re-exported: scan skips generated files, apply drops findings in them; one definition. */
export { isGeneratedFile } from '@selfreview/shared/repo-files';
