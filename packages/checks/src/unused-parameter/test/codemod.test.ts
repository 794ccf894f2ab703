import type { FixItem } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { CODEMOD_FILE, codemodItem } from '../../lib/test/helpers.ts';
import { removeUnusedParameter } from '../codemod.ts';
import type { UnusedParameterEvidence } from '../schema.ts';

interface Options {
  line?: number;
  typeParameter?: boolean;
  destructured?: boolean;
  file?: string;
}

function item(name: string, functionName: string, options: Options = {}): FixItem {
  const { line = 1, typeParameter = false, destructured = false, file = CODEMOD_FILE } = options;
  const evidence: UnusedParameterEvidence = {
    kind: 'unused-parameter',
    name,
    functionName,
    index: 0,
    typeParameter,
    destructured,
    code: 6133,
    signature: '',
  };
  return codemodItem(removeUnusedParameter, evidence, {
    id: `unused-parameter:${file}:${functionName}:${name}`,
    message: `parameter '${name}' of '${functionName}' is never used`,
    file,
    line,
  });
}

function run(text: string, items: FixItem[], file = CODEMOD_FILE) {
  return removeUnusedParameter.apply({ file, text, items });
}

describe('remove_unused_parameter', () => {
  it('has its change type', () => {
    expect(removeUnusedParameter.changeType).toBe('remove_unused_parameter');
  });

  it.each([
    {
      title: 'removes the last parameter and the matching argument of each call',
      input: 'function f(a: number, b: string) {\n  return a;\n}\nf(1, "x");\nf(2, `y`);\nf(3);\n',
      items: [item('b', 'f')],
      expected: 'function f(a: number) {\n  return a;\n}\nf(1);\nf(2);\nf(3);\n',
      lines: [1, 4, 5],
    },
    {
      title: 'removes the only parameter',
      input: 'function f(a) {\n  return 1;\n}\nf(0);\n',
      items: [item('a', 'f')],
      expected: 'function f() {\n  return 1;\n}\nf();\n',
      lines: [1, 4],
    },
    {
      title: 'removes the last parameter of a const arrow',
      input: 'const g = (a: number, b = 2) => a;\ng(1, 2);\n',
      items: [item('b', 'g')],
      expected: 'const g = (a: number) => a;\ng(1);\n',
      lines: [1, 2],
    },
    {
      title: 'removes the last parameter of a const function expression',
      input: 'const g = function (a, b) {\n  return a;\n};\ng(1, 2);\n',
      items: [item('b', 'g')],
      expected: 'const g = function (a) {\n  return a;\n};\ng(1);\n',
      lines: [1, 4],
    },
    {
      title: 'removes a last rest parameter and every argument it took',
      input: 'function f(a, ...rest) {\n  return a;\n}\nf(1, 2, 3);\n',
      items: [item('rest', 'f')],
      expected: 'function f(a) {\n  return a;\n}\nf(1);\n',
      lines: [1, 4],
    },
    {
      title: 'removes the last parameter of a multi-line list with a trailing comma',
      input: 'function f(\n  a: number,\n  b: number, // unused\n) {\n  return a;\n}\nf(\n  1,\n  2,\n);\n',
      items: [item('b', 'f', { line: 3 })],
      expected: 'function f(\n  a: number,\n) {\n  return a;\n}\nf(\n  1,\n);\n',
      lines: [2, 3, 8, 9],
    },
    {
      title: 'prefixes a parameter that is not last',
      input: 'export function f(a: number, b: number) {\n  return b;\n}\n',
      items: [item('a', 'f')],
      expected: 'export function f(_a: number, b: number) {\n  return b;\n}\n',
      lines: [1],
    },
    {
      title: 'prefixes a parameter of a method, which keeps positions',
      input: 'class C {\n  m(a: number, b: number) {\n    return b;\n  }\n}\nnew C().m(1, 2);\n',
      items: [item('a', 'm', { line: 2 })],
      expected: 'class C {\n  m(_a: number, b: number) {\n    return b;\n  }\n}\nnew C().m(1, 2);\n',
      lines: [2],
    },
    {
      title: 'removes two trailing parameters together',
      input: 'function f(a, b, c) {\n  return a;\n}\nf(1, 2, 3);\n',
      items: [item('c', 'f'), item('b', 'f')],
      expected: 'function f(a) {\n  return a;\n}\nf(1);\n',
      lines: [1, 4],
    },
    {
      title: 'removes the trailing parameter and prefixes an earlier one',
      input: 'function f(a, b, c) {\n  return b;\n}\nf(1, 2, 3);\n',
      items: [item('a', 'f'), item('c', 'f')],
      expected: 'function f(_a, b) {\n  return b;\n}\nf(1, 2);\n',
      lines: [1, 4],
    },
    {
      title: 'removes the last type parameter',
      input: 'function f<T, U>(x: T): T {\n  return x;\n}\nf(1);\n',
      items: [item('U', 'f', { typeParameter: true })],
      expected: 'function f<T>(x: T): T {\n  return x;\n}\nf(1);\n',
      lines: [1],
    },
    {
      title: 'removes the only type parameter with its brackets',
      input: 'function f<T>(x: number) {\n  return x;\n}\n',
      items: [item('T', 'f', { typeParameter: true })],
      expected: 'function f(x: number) {\n  return x;\n}\n',
      lines: [1],
    },
    {
      title: 'prefixes a type parameter that is not last',
      input: 'export type Pair<A, B> = [B, B];\n',
      items: [item('A', 'Pair', { typeParameter: true })],
      expected: 'export type Pair<_A, B> = [B, B];\n',
      lines: [1],
    },
    {
      title: 'removes a destructured element',
      input: 'export const h = ({ a, b }: Props) => b;\n',
      items: [item('a', 'h', { destructured: true })],
      expected: 'export const h = ({ b }: Props) => b;\n',
      lines: [1],
    },
    {
      title: 'replaces an array element with a hole',
      input: 'export function h([a, b]: number[]) {\n  return b;\n}\n',
      items: [item('a', 'h', { destructured: true })],
      expected: 'export function h([, b]: number[]) {\n  return b;\n}\n',
      lines: [1],
    },
    {
      title: 'finds the function nearest to the line',
      input:
        'function f(a, b) {\n  return a;\n}\nnamespace N {\n  export function f(a, b) {\n    return b;\n  }\n}\n',
      items: [item('a', 'f', { line: 5 })],
      expected:
        'function f(a, b) {\n  return a;\n}\nnamespace N {\n  export function f(_a, b) {\n    return b;\n  }\n}\n',
      lines: [5],
    },
    {
      title: 'several items in one file',
      input:
        'function f(a, b) {\n  return a;\n}\nfunction g<T>(x, y) {\n  return y;\n}\nconst h = ({ p, q }) => q;\nf(1, 2);\ng(1, 2);\nh({});\n',
      items: [
        item('b', 'f'),
        item('T', 'g', { line: 4, typeParameter: true }),
        item('x', 'g', { line: 4 }),
        item('p', 'h', { line: 7, destructured: true }),
      ],
      expected:
        'function f(a) {\n  return a;\n}\nfunction g(_x, y) {\n  return y;\n}\nconst h = ({ q }) => q;\nf(1);\ng(1, 2);\nh({});\n',
      lines: [1, 4, 7, 8],
    },
    {
      title: 'CRLF line endings',
      input: 'function f(a,\r\n  b) {\r\n  return a;\r\n}\r\nf(1,\r\n  2);\r\n',
      items: [item('b', 'f', { line: 2 })],
      expected: 'function f(a) {\r\n  return a;\r\n}\r\nf(1);\r\n',
      lines: [1, 2, 5, 6],
    },
  ])('$title', ({ input, items, expected, lines }) => {
    const result = run(input, items);
    expect(result.text).toBe(expected);
    expect(result.linesAffected).toEqual(lines);
    expect(result.applied).toEqual(items.map((i) => i.candidate.id));
    expect(result.skipped).toEqual([]);
  });

  it('parses .tsx files with JSX', () => {
    const file = 'src/view.tsx';
    const input = 'function View(a: P, b: Q) {\n  return <div>{a}</div>;\n}\nexport const x = View(p, q);\n';
    const result = run(input, [item('b', 'View', { file })], file);
    expect(result.text).toBe(
      'function View(a: P) {\n  return <div>{a}</div>;\n}\nexport const x = View(p);\n',
    );
    expect(result.linesAffected).toEqual([1, 4]);
  });

  it('keeps a byte order mark', () => {
    const result = run('\uFEFFfunction f(a) {}\nf(1);\n', [item('a', 'f')]);
    expect(result.text).toBe('\uFEFFfunction f() {}\nf();\n');
  });

  const skips: { title: string; input: string; item: FixItem; reason: string }[] = [
    {
      title: 'a missing parameter',
      input: 'function f(a) {\n  return a;\n}\n',
      item: item('b', 'f'),
      reason: 'not_found',
    },
    {
      title: 'a parameter of another function',
      input: 'function g(b) {}\n',
      item: item('b', 'f'),
      reason: 'not_found',
    },
    {
      title: 'the last parameter of a method',
      input: 'class C {\n  m(a) {}\n}\n',
      item: item('a', 'm', { line: 2 }),
      reason: 'callers_unknown',
    },
    {
      title: 'the last parameter of an anonymous callback',
      input: 'run((a, b) => a);\n',
      item: item('b', '<anonymous>'),
      reason: 'callers_unknown',
    },
    {
      title: 'the last parameter of a function passed by reference',
      input: 'function f(a) {}\nlist.forEach(f);\n',
      item: item('a', 'f'),
      reason: 'callers_unknown',
    },
    {
      title: 'the last parameter of a function called with a spread',
      input: 'function f(a, b) {\n  return a;\n}\nf(...args);\n',
      item: item('b', 'f'),
      reason: 'callers_unknown',
    },
    {
      title: 'the last parameter of a function called with extra arguments',
      input: 'function f(a) {}\nf(1, 2);\n',
      item: item('a', 'f'),
      reason: 'callers_unknown',
    },
    {
      title: 'an argument with a call',
      input: 'function f(a, b) {\n  return a;\n}\nf(1, g());\n',
      item: item('b', 'f'),
      reason: 'side_effect_argument',
    },
    {
      title: 'a default value with a call',
      input: 'function f(a, b = g()) {\n  return a;\n}\n',
      item: item('b', 'f'),
      reason: 'side_effect',
    },
    {
      title: 'a function that reads arguments',
      input: 'function f(a) {\n  return arguments.length;\n}\n',
      item: item('a', 'f'),
      reason: 'uses_arguments',
    },
    {
      title: 'a type parameter passed explicitly',
      input: 'function f<T>(x: number) {\n  return x;\n}\nf<string>(1);\n',
      item: item('T', 'f', { typeParameter: true }),
      reason: 'explicit_type_arguments',
    },
    {
      title: 'a type parameter of a type used with arguments',
      input: 'type Box<T> = { v: 1 };\nlet b: Box<string>;\n',
      item: item('T', 'Box', { typeParameter: true }),
      reason: 'explicit_type_arguments',
    },
    {
      title: 'the only element of a pattern',
      input: 'export const h = ({ a }: Props) => 1;\n',
      item: item('a', 'h', { destructured: true }),
      reason: 'destructured_only_element',
    },
    {
      title: 'an element with a rest sibling',
      input: 'export const h = ({ a, ...rest }) => rest;\n',
      item: item('a', 'h', { destructured: true }),
      reason: 'rest_sibling',
    },
    {
      title: 'a parameter property',
      input: 'export class C {\n  constructor(private a: number) {}\n}\n',
      item: item('a', 'constructor', { line: 2 }),
      reason: 'parameter_property',
    },
    {
      title: 'a prefix that is taken',
      input: 'export function f(a, b) {\n  return b + _a;\n}\n',
      item: item('a', 'f'),
      reason: 'name_conflict',
    },
    {
      title: 'an item for another file',
      input: 'function f(a) {}\n',
      item: item('a', 'f', { file: 'src/other.ts' }),
      reason: 'unsupported_item',
    },
    {
      title: 'an input that does not parse',
      input: 'function f(a) {}\nf(;\n',
      item: item('a', 'f'),
      reason: 'parse_error',
    },
  ];
  it.each(skips)('skips $title as $reason', ({ input, item: it_, reason }) => {
    const result = run(input, [it_]);
    expect(result).toEqual({
      text: input,
      linesAffected: [],
      applied: [],
      skipped: [{ candidateId: it_.candidate.id, reason }],
    });
  });

  it('skips an item of another change type as unsupported_item', () => {
    const other = { ...item('a', 'f'), changeType: 'remove_unused_local' as const };
    const result = run('function f(a) {}\n', [other]);
    expect(result.text).toBe('function f(a) {}\n');
    expect(result.skipped).toEqual([{ candidateId: other.candidate.id, reason: 'unsupported_item' }]);
  });

  it('skips a second item for the same parameter as duplicate', () => {
    const first = item('a', 'f');
    const second = { ...first, candidate: { ...first.candidate, id: 'again' } };
    const result = run('function f(a) {}\n', [first, second]);
    expect(result.text).toBe('function f() {}\n');
    expect(result.applied).toEqual([first.candidate.id]);
    expect(result.skipped).toEqual([{ candidateId: 'again', reason: 'duplicate' }]);
  });

  it('applies what it can and reports the rest', () => {
    const input = 'function f(a, b) {\n  return 1;\n}\nf(1, g());\n';
    const items = [item('a', 'f'), item('b', 'f'), item('z', 'f')];
    const result = run(input, items);
    // `b` cannot go (its argument is a call), so `a` is not last either: it is prefixed.
    expect(result.text).toBe('function f(_a, b) {\n  return 1;\n}\nf(1, g());\n');
    expect(result.linesAffected).toEqual([1]);
    expect(result.applied).toEqual([items[0]!.candidate.id]);
    expect(result.skipped).toEqual([
      { candidateId: items[1]!.candidate.id, reason: 'side_effect_argument' },
      { candidateId: items[2]!.candidate.id, reason: 'not_found' },
    ]);
  });

  it('returns the input unchanged when the output would not parse', () => {
    // In a .tsx file `<T,>` marks a generic arrow; `<T>` alone would read as JSX.
    const file = 'src/a.tsx';
    const input = 'export const id = <T, U>(x: T) => x;\n';
    const it_ = item('U', 'id', { typeParameter: true, file });
    const result = run(input, [it_], file);
    expect(result.text).toBe(input);
    expect(result.skipped).toEqual([{ candidateId: it_.candidate.id, reason: 'parse_error' }]);
  });
});
