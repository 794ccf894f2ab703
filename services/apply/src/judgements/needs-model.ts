import type { Candidate, ChangeType, RuleId } from '@selfreview/shared/schemas';
import { declarationsOf, defer, drop, mismatch } from './common.ts';
import type { JudgeContext, Judgement, Verdict } from './types.ts';

/**
 * Findings whose fix is a rewrite only the model can make (splitting a function, flattening
 * nesting, writing a test). They are real when still present. With a model configured they
 * go to the fix queue for it (the budgets bound how many are tried); without one they are
 * deferred, since nothing deterministic can fix them.
 */
function needsModel(
  rule: RuleId,
  changeType: ChangeType,
  what: (c: Candidate) => string | undefined,
): Judgement {
  return {
    rule,
    judge(candidate: Candidate, ctx: JudgeContext): Verdict {
      if (ctx.isGenerated) return drop('generated_file', `${candidate.file} is generated.`, 0.95);
      if (!ctx.sourceFile)
        return drop('stale', `${candidate.file} no longer exists at the current head.`, 0.95);
      const name = what(candidate);
      if (name === undefined) return mismatch(rule, candidate.evidence.kind);
      const last = name.split('.').pop() ?? name;
      if (!last.startsWith('<') && last !== 'default' && declarationsOf(ctx.sourceFile, last).length === 0) {
        return drop('stale', `'${name}' is no longer declared in ${candidate.file}.`, 0.85);
      }
      const e = candidate.evidence;
      if (e.kind === 'untested-export' && e.testFiles === 0) {
        return defer(
          'no_test_setup',
          `The repository has no test files; adding the first test is a decision for a person.`,
          0.5,
        );
      }
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
    },
  };
}

export const longFunctionJudgement = needsModel('long-function', 'split_long_function', (c) =>
  c.evidence.kind === 'long-function' ? c.evidence.name : undefined,
);
export const deepNestingJudgement = needsModel('deep-nesting', 'reduce_nesting', (c) =>
  c.evidence.kind === 'deep-nesting' ? c.evidence.functionName : undefined,
);
export const untestedExportJudgement = needsModel('untested-export', 'add_missing_test', (c) =>
  c.evidence.kind === 'untested-export' ? c.evidence.name : undefined,
);
