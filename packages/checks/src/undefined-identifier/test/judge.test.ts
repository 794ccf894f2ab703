import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import type { JudgeContext } from '../../lib/judge.ts';
import { decide, judgeContext } from '../../lib/test/helpers.ts';

function undefinedName(name: string, line: number, code = 2304): Candidate {
  return {
    id: `undefined-identifier:${name}`,
    rule: 'undefined-identifier',
    file: 'src/a.ts',
    line,
    endLine: line,
    message: `cannot find name '${name}'`,
    evidence: { kind: 'undefined-identifier', name, code, compilerMessage: '', lineText: '' },
  };
}

const judge = (c: Candidate, text: string, over: Partial<JudgeContext> = {}): Decision =>
  decide(c, judgeContext(text, over));
const verdictOf = (d: Decision) => `${d.verdict} ${d.reason}`;

describe('undefined-identifier', () => {
  const text = 'export const total = sum(1, 2);\n';
  it.each([
    [['src/math.ts'], 'fix missing_import'],
    [['src/math.ts', 'src/other.ts'], 'defer ambiguous_import'],
    [[], 'defer unresolved_name'],
  ])('with exporters %j: %s', (exporters, expected) => {
    expect(verdictOf(judge(undefinedName('sum', 1), text, { exportersOf: () => exporters }))).toBe(expected);
  });

  it('defers a global that needs type definitions', () => {
    expect(verdictOf(judge(undefinedName('process', 1, 2591), 'export const e = process.env;\n'))).toBe(
      'defer missing_type_definitions',
    );
  });
});
