import type { FixItem } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { CODEMOD_FILE } from '../../lib/test/helpers.ts';
import { item, run } from './codemod-helpers.ts';

describe('remove_unused_local', () => {
  const skips: { title: string; input: string; item: FixItem; reason: string }[] = [
    {
      title: 'a missing name',
      input: 'const b = 1;\nuse(b);\n',
      item: item('a', 'variable'),
      reason: 'not_found',
    },
    {
      title: 'a name of another kind',
      input: 'function a() {}\nuse(1);\n',
      item: item('a', 'class'),
      reason: 'not_found',
    },
    {
      title: 'a name used elsewhere',
      input: 'const a = 1;\nuse(a);\n',
      item: item('a', 'variable'),
      reason: 'still_referenced',
    },
    {
      title: 'a type used in a type position',
      input: 'type T = string;\nlet x: T;\nuse(x);\n',
      item: item('T', 'type'),
      reason: 'still_referenced',
    },
    {
      title: 'a name used in shorthand',
      input: 'const a = 1;\nuse({ a });\n',
      item: item('a', 'variable'),
      reason: 'still_referenced',
    },
    {
      title: 'a name linked from JSDoc',
      input: 'const a = 1;\n/** See {@link a}. */\nexport const b = 2;\n',
      item: item('a', 'variable'),
      reason: 'still_referenced',
    },
    {
      title: 'a private member used through this',
      input: 'export class C {\n  private a = 1;\n  m() {\n    return this.a;\n  }\n}\n',
      item: item('a', 'private-member', 2),
      reason: 'still_referenced',
    },
    {
      title: 'a private member read by a string key',
      input: "export class C {\n  private a = 1;\n  m() {\n    return this['a'];\n  }\n}\n",
      item: item('a', 'private-member', 2),
      reason: 'still_referenced',
    },
    { title: 'a call', input: 'const a = f();\n', item: item('a', 'variable'), reason: 'side_effect' },
    {
      title: 'a JSX element (a call)',
      input: 'const a = <b />;\n',
      item: item('a', 'variable', 1, 'src/a.tsx'),
      reason: 'side_effect',
    },
    { title: 'new', input: 'const a = new Map();\n', item: item('a', 'variable'), reason: 'side_effect' },
    {
      title: 'await',
      input: 'export async function g() {\n  const a = await p;\n}\n',
      item: item('a', 'variable', 2),
      reason: 'side_effect',
    },
    {
      title: 'an assignment',
      input: 'let a = (b = 1);\n',
      item: item('a', 'variable'),
      reason: 'side_effect',
    },
    { title: 'an increment', input: 'let a = ++i;\n', item: item('a', 'variable'), reason: 'side_effect' },
    { title: 'delete', input: 'const a = delete o.x;\n', item: item('a', 'variable'), reason: 'side_effect' },
    {
      title: 'a property read',
      input: 'const a = o.x;\n',
      item: item('a', 'variable'),
      reason: 'side_effect',
    },
    {
      title: 'a destructuring whose only name goes with a call',
      input: 'const { a } = load();\n',
      item: item('a', 'destructured'),
      reason: 'side_effect',
    },
    {
      title: 'a destructuring default with a call',
      input: 'const { a = f(), b } = o;\nuse(b);\n',
      item: item('a', 'destructured'),
      reason: 'side_effect',
    },
    {
      title: 'a private property initialized by a call',
      input: 'export class C {\n  private t = setInterval(tick, 10);\n}\n',
      item: item('t', 'private-member', 2),
      reason: 'side_effect',
    },
    {
      title: 'a class with a static block',
      input: 'class K {\n  static {\n    run();\n  }\n}\n',
      item: item('K', 'class'),
      reason: 'side_effect',
    },
    {
      title: 'a using declaration',
      input: 'export function g() {\n  using a = r;\n}\n',
      item: item('a', 'variable', 2),
      reason: 'side_effect',
    },
    {
      title: 'an element with a rest sibling',
      input: 'const { a, ...rest } = o;\nuse(rest);\n',
      item: item('a', 'destructured'),
      reason: 'rest_sibling',
    },
    {
      title: 'an exported variable',
      input: 'export const a = 1;\n',
      item: item('a', 'variable'),
      reason: 'exported',
    },
    {
      title: 'an exported function',
      input: 'export function a() {}\n',
      item: item('a', 'function'),
      reason: 'exported',
    },
    {
      title: 'a loop variable',
      input: 'for (const a of [1]) run();\n',
      item: item('a', 'variable'),
      reason: 'unsupported_declaration',
    },
    {
      title: 'a namespace',
      input: 'namespace N {}\n',
      item: item('N', 'namespace'),
      reason: 'unsupported_item',
    },
    {
      title: 'an item for another file',
      input: 'const a = 1;\n',
      item: item('a', 'variable', 1, 'src/other.ts'),
      reason: 'unsupported_item',
    },
    {
      title: 'an input that does not parse',
      input: 'const a = 1;\nconst = ;\n',
      item: item('a', 'variable'),
      reason: 'parse_error',
    },
  ];
  it.each(skips)('skips $title as $reason', ({ input, item: it_, reason }) => {
    const result = run(input, [it_], it_.candidate.file.endsWith('.tsx') ? it_.candidate.file : CODEMOD_FILE);
    expect(result).toEqual({
      text: input,
      linesAffected: [],
      applied: [],
      skipped: [{ candidateId: it_.candidate.id, reason }],
    });
  });

  it('skips an item of another change type as unsupported_item', () => {
    const other = { ...item('a', 'variable'), changeType: 'remove_unused_import' as const };
    const result = run('const a = 1;\n', [other]);
    expect(result.text).toBe('const a = 1;\n');
    expect(result.skipped).toEqual([{ candidateId: other.candidate.id, reason: 'unsupported_item' }]);
  });

  it('skips a second item for the same declaration as duplicate', () => {
    const first = item('a', 'variable', 1);
    const second = { ...first, candidate: { ...first.candidate, id: 'again' } };
    const result = run('const a = 1;\nuse(1);\n', [first, second]);
    expect(result.text).toBe('use(1);\n');
    expect(result.applied).toEqual([first.candidate.id]);
    expect(result.skipped).toEqual([{ candidateId: 'again', reason: 'duplicate' }]);
  });

  it('applies what it can and reports the rest', () => {
    const input = 'const a = 1;\nconst b = f();\nconst c = 3;\nuse(c);\n';
    const items = [
      item('a', 'variable', 1),
      item('b', 'variable', 2),
      item('c', 'variable', 3),
      item('z', 'variable'),
    ];
    const result = run(input, items);
    expect(result.text).toBe('const b = f();\nconst c = 3;\nuse(c);\n');
    expect(result.linesAffected).toEqual([1]);
    expect(result.applied).toEqual([items[0]!.candidate.id]);
    expect(result.skipped).toEqual([
      { candidateId: items[1]!.candidate.id, reason: 'side_effect' },
      { candidateId: items[2]!.candidate.id, reason: 'still_referenced' },
      { candidateId: items[3]!.candidate.id, reason: 'not_found' },
    ]);
  });

  it('returns the input unchanged when the output would not parse', () => {
    // A lone declaration is the only statement an `if` may not have as its body: removing it
    // would leave `if (x)` followed by nothing.
    const input = 'if (x) function f() {}\n';
    const result = run(input, [item('f', 'function')]);
    expect(result.text).toBe(input);
    expect(result.applied).toEqual([]);
    expect(result.skipped).toEqual([
      { candidateId: item('f', 'function').candidate.id, reason: 'parse_error' },
    ]);
  });
});
