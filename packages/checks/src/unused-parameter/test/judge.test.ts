import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import type { JudgeContext } from '../../lib/judge.ts';
import { decide, judgeContext } from '../../lib/test/helpers.ts';

function param(name: string, line: number, functionName: string, typeParameter = false): Candidate {
  return {
    id: `unused-parameter:${name}`,
    rule: 'unused-parameter',
    file: 'src/a.ts',
    line,
    endLine: line,
    message: `parameter '${name}' is never used`,
    evidence: {
      kind: 'unused-parameter',
      name,
      functionName,
      index: 0,
      typeParameter,
      destructured: false,
      code: 6133,
      signature: '',
    },
  };
}

const judge = (c: Candidate, text: string, over: Partial<JudgeContext> = {}): Decision =>
  decide(c, judgeContext(text, over));
const verdictOf = (d: Decision) => `${d.verdict} ${d.reason}`;

describe('unused-parameter', () => {
  it('fixes the unused last parameter of a local function', () => {
    const text = 'function f(a: number, b: number) {\n  return a;\n}\nexport const r = f(1, 2);\n';
    expect(judge(param('b', 1, 'f'), text)).toMatchObject({
      verdict: 'fix',
      changeType: 'remove_unused_parameter',
    });
  });

  it('fixes a nested helper inside an exported function', () => {
    const text =
      'export function outer() {\n  function inner(a: number, b: number) {\n    return a;\n  }\n  return inner(1, 2);\n}\n';
    expect(verdictOf(judge(param('b', 2, 'inner'), text))).toBe('fix unused_parameter');
  });

  it.each([
    [
      'an exported function (public API)',
      'export function f(a: number, b: number) {\n  return a;\n}\n',
      'b',
      'f',
      'drop public_api',
    ],
    [
      'an overriding method',
      'class Base { run(_a: number) {} }\nexport class K extends Base {\n  override run(a: number) {}\n}\n',
      'a',
      'run',
      'drop overriding_method',
    ],
    [
      'a callback before a used parameter',
      'export const r = [1].map((item, i) => i);\n',
      'item',
      '<anonymous>',
      'drop callback_position',
    ],
    [
      'a setter',
      'class K {\n  set v(value: number) {}\n}\nexport const k = new K();\n',
      'value',
      'v',
      'drop required_by_syntax',
    ],
  ])('keeps the parameter of %s', (_what, text, name, fn, expected) => {
    const line =
      text.split('\n').findIndex((l) => new RegExp(`\\b${name}\\b`).test(l) && l.includes('(')) + 1;
    expect(verdictOf(judge(param(name, line, fn), text))).toBe(expected);
  });

  it('names the importers when an exported function is used elsewhere', () => {
    const text = 'export function f(a: number, b: number) {\n  return a;\n}\n';
    const d = judge(param('b', 1, 'f'), text, { importersOf: () => ['src/b.ts'] });
    expect(d).toMatchObject({ verdict: 'drop', reason: 'public_api' });
    expect(d.detail).toContain('src/b.ts');
  });
});
