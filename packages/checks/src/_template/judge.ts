import type { Candidate } from '@selfreview/shared/schemas';
import { drop, type JudgeContext, type Verdict } from '../lib/judge.ts';
import { CHANGE_TYPE, type ExampleEvidence } from './schema.ts';

/** Still there at head and not generated: the model removes it. */
export function judge(candidate: Candidate, evidence: ExampleEvidence, ctx: JudgeContext): Verdict {
  if (ctx.isGenerated) return drop('generated_file', `${candidate.file} is generated.`, 0.95);
  if (ctx.fileText === null || !/\bdebugger\b/.test(ctx.fileText)) {
    return drop('stale', `The 'debugger' in '${evidence.functionName}' is no longer there.`, 0.9);
  }
  return {
    verdict: 'fix',
    reason: 'debugger_statement',
    detail: `A 'debugger' statement in '${evidence.functionName}' is left from debugging; remove it.`,
    confidence: 0.8,
    changeType: CHANGE_TYPE,
  };
}
