import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import type { JudgeContext } from '../../lib/judge.ts';
import { decide, judgeContext } from '../../lib/test/helpers.ts';
import { CheckCandidate } from '../../registry.ts';

const judge = (candidate: Candidate, over: Partial<JudgeContext> = {}): Decision =>
  decide(candidate, judgeContext(over.fileText ?? null, over));

describe('rewrites only the model can make', () => {
  const longFunction = CheckCandidate.parse({
    id: 'lf-1',
    rule: 'long-function',
    file: 'src/a.ts',
    line: 1,
    endLine: 90,
    message: "Function 'big' is 90 lines long (limit 80)",
    evidence: { kind: 'long-function', name: 'big', lines: 90, limit: 80 },
  });
  const text = 'export function big() {\n  return 1;\n}\n';

  it('wait as needs_llm without a model', () => {
    expect(judge(longFunction, { fileText: text })).toMatchObject({
      verdict: 'defer',
      reason: 'needs_llm',
      changeType: 'split_long_function',
    });
  });

  it('go to the model fixer when a model is configured', () => {
    expect(judge(longFunction, { fileText: text, llmAvailable: true })).toMatchObject({
      verdict: 'fix',
      reason: 'model_rewrite',
      changeType: 'split_long_function',
      confidence: 0.72,
    });
  });

  it('are stale when the file changed since the scan and no longer declares the function', () => {
    const renamed = 'export function smaller() {\n  return 1;\n}\n';
    expect(judge(longFunction, { fileText: renamed, scannedText: text })).toMatchObject({
      verdict: 'drop',
      reason: 'stale',
    });
  });

  it('are judged from the text alone when the file is as scanned: its syntax tree is never read', () => {
    const ctx = judgeContext(text, { fileText: text, scannedText: text });
    Object.defineProperty(ctx, 'sourceFile', {
      get: () => {
        throw new Error('parsed an unchanged file');
      },
    });
    expect(decide(longFunction, ctx)).toMatchObject({ verdict: 'defer', reason: 'needs_llm' });
  });
});
