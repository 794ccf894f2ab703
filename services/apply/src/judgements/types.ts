/** The judge part's contract is the checks' (@selfreview/checks); apply adds the name of a registered judgement. */
import type { JudgeContext, Verdict } from '@selfreview/checks';
import type { Candidate, RuleId } from '@selfreview/shared/schemas';

export type { JudgeContext, Verdict } from '@selfreview/checks';

export interface Judgement {
  rule: RuleId;
  judge(candidate: Candidate, ctx: JudgeContext): Verdict;
}
