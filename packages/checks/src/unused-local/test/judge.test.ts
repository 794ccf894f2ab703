import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import type { JudgeContext } from '../../lib/judge.ts';
import { decide, judgeContext } from '../../lib/test/helpers.ts';
import type { UnusedLocalEvidence } from '../schema.ts';

function local(name: string, line: number, extra: Partial<UnusedLocalEvidence> = {}): Candidate {
  return {
    id: `unused-local:${name}`,
    rule: 'unused-local',
    file: 'src/a.ts',
    line,
    endLine: line,
    message: `variable '${name}' is declared but never used`,
    evidence: {
      kind: 'unused-local',
      name,
      declarationKind: 'variable',
      initializer: null,
      destructured: false,
      code: 6133,
      statement: '',
      ...extra,
    },
  };
}

const judge = (c: Candidate, text: string, over: Partial<JudgeContext> = {}): Decision =>
  decide(c, judgeContext(text, over));
const verdictOf = (d: Decision) => `${d.verdict} ${d.reason}`;

describe('unused-local', () => {
  it.each([
    ['a literal', 'export function f() {\n  const x = 1;\n}\n', 'fix unused_local'],
    ['an arrow function', 'export function f() {\n  const x = () => 2;\n}\n', 'fix unused_local'],
    [
      'an object of literals',
      "export function f() {\n  const x = { a: 1, b: 'c' };\n}\n",
      'fix unused_local',
    ],
    [
      'a call',
      'export function f() {\n  const x = g();\n}\ndeclare function g(): number;\n',
      'drop side_effect_initializer',
    ],
    ['new', 'export function f() {\n  const x = new Map();\n}\n', 'drop side_effect_initializer'],
    [
      'await',
      'export async function f() {\n  const x = await Promise.resolve(1);\n}\n',
      'drop side_effect_initializer',
    ],
    [
      'a property read (a getter may run)',
      'export function f(o: { a: number }) {\n  const x = o.a;\n  return o;\n}\n',
      'drop side_effect_initializer',
    ],
    [
      'an assignment',
      'export function f(y: number) {\n  const x = (y = 2);\n  return y;\n}\n',
      'drop side_effect_initializer',
    ],
  ])('judges a variable initialized with %s', (_what, text, expected) => {
    expect(verdictOf(judge(local('x', 2), text))).toBe(expected);
  });

  it('keeps a variable that is still written elsewhere', () => {
    expect(verdictOf(judge(local('x', 2), 'export function f() {\n  let x;\n  x = 1;\n}\n'))).toBe(
      'drop still_referenced',
    );
  });

  it('keeps a destructured name beside a rest element (object and array)', () => {
    const obj =
      'export function f(o: { a: number; b: number }) {\n  const { a, ...rest } = o;\n  return rest;\n}\n';
    const arr = 'export function f(o: number[]) {\n  const [a, ...rest] = o;\n  return rest;\n}\n';
    expect(
      verdictOf(judge(local('a', 2, { destructured: true, declarationKind: 'destructured' }), obj)),
    ).toBe('drop rest_sibling');
    expect(
      verdictOf(judge(local('a', 2, { destructured: true, declarationKind: 'destructured' }), arr)),
    ).toBe('drop rest_sibling');
  });

  it('keeps a declaration that merges with another of the same name', () => {
    const text = 'interface Box { a: number }\nclass Box {}\nexport const b = 1;\n';
    expect(verdictOf(judge(local('Box', 1, { declarationKind: 'interface' }), text))).toBe(
      'drop declaration_merging',
    );
  });

  it('keeps a declaration inside declare module', () => {
    const text = "declare module 'x' {\n  interface Hidden { a: number }\n}\nexport {};\n";
    expect(verdictOf(judge(local('Hidden', 2, { declarationKind: 'interface' }), text))).toBe(
      'drop module_augmentation',
    );
  });

  it('calls a finding stale when the name is gone at head', () => {
    expect(verdictOf(judge(local('x', 2), 'export const y = 1;\n'))).toBe('drop stale');
  });
});
