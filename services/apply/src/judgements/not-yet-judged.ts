import type { RuleId } from '@selfreview/shared/schemas';
import type { Judgement } from './types.ts';

/**
 * For rules whose judgement is not written yet: the candidate is kept (deferred), never
 * dropped and never queued for a fix, so nothing is lost and nothing is changed blindly.
 */
export function notYetJudged(rule: RuleId): Judgement {
  return {
    rule,
    judge: () => ({
      verdict: 'defer',
      reason: 'not_judged_yet',
      detail: `Scan reports '${rule}' findings, but apply has no judgement for them yet; kept for a later run.`,
      confidence: 0.5,
    }),
  };
}
