/**
 * The judgement of findings whose fix is a rewrite only the model can make (splitting a
 * function, flattening nesting, writing a test). They are real when still present. With a
 * model configured they go to the fix queue for it (the budgets bound how many are tried);
 * without one they are deferred, since nothing deterministic can fix them.
 */
import type { Candidate, ChangeType } from '@selfreview/shared/schemas';
import { declarationsOf, defer, drop, type JudgeContext, type Verdict } from './judge.ts';

export interface NeedsModel<Evidence> {
  changeType: ChangeType;
  /** The dotted name of what the finding is about, looked for again at head. */
  subject(evidence: Evidence): string;
  /** A check's own reason to stop before the model is asked, once the finding is known to be there. */
  before?(evidence: Evidence): Verdict | undefined;
}

export function needsModel<Evidence>(
  rule: NeedsModel<Evidence>,
): (candidate: Candidate, evidence: Evidence, ctx: JudgeContext) => Verdict {
  const { changeType } = rule;
  return (candidate, evidence, ctx) => {
    if (ctx.isGenerated) return drop('generated_file', `${candidate.file} is generated.`, 0.95);
    if (ctx.fileText === null)
      return drop('stale', `${candidate.file} no longer exists at the current head.`, 0.95);
    const name = rule.subject(evidence);
    const last = name.split('.').pop() ?? name;
    // A file unchanged since the scan still declares what the scan found in it: only a changed
    // one is parsed to look again (the parse is most of what judging such a finding costs).
    const changed = ctx.scannedText !== ctx.fileText;
    if (changed && !last.startsWith('<') && last !== 'default') {
      if (!ctx.sourceFile || declarationsOf(ctx.sourceFile, last).length === 0)
        return drop('stale', `'${name}' is no longer declared in ${candidate.file}.`, 0.85);
    }
    const early = rule.before?.(evidence);
    if (early) return early;
    if (ctx.llmAvailable) {
      return {
        verdict: 'fix',
        reason: 'model_rewrite',
        detail: `${candidate.message}: the model fixer proposes the change (${changeType}); typecheck, tests and the hard gates decide whether it is kept.`,
        confidence: 0.72,
        changeType,
      };
    }
    return {
      ...defer(
        'needs_llm',
        `${candidate.message}: the change (${changeType}) needs the model fixer${ctx.llmAvailable ? '' : ', which is not configured'}.`,
        0.6,
      ),
      changeType,
    };
  };
}
