import type { Candidate, Decision, RuleId } from '@selfreview/shared/schemas';

/** What a judgement may look at besides the candidate; gathered by the caller so judging stays pure. */
export interface JudgeContext {
  /** The file at the current head, null when the file is gone. */
  fileText: string | null;
  isGenerated: boolean;
  llmAvailable: boolean;
}

/** A decision before it is tied to its candidate: judgements never invent ids. */
export type Verdict = Omit<Decision, 'candidateId'>;

export interface Judgement {
  rule: RuleId;
  judge(candidate: Candidate, ctx: JudgeContext): Verdict;
}
