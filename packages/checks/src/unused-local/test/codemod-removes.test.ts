import { describe, expect, it } from 'vitest';
import { removeUnusedLocal } from '../codemod.ts';
import { item, run } from './codemod-helpers.ts';

describe('remove_unused_local', () => {
  it('has its change type', () => {
    expect(removeUnusedLocal.changeType).toBe('remove_unused_local');
  });

  it.each([
    {
      title: 'a single-declarator statement',
      input: 'const a = 1;\nconst b = 2;\nuse(b);\n',
      items: [item('a', 'variable', 1)],
      expected: 'const b = 2;\nuse(b);\n',
      lines: [1],
    },
    {
      title: 'a statement with its JSDoc, keeping a comment above a blank line',
      input: '// Section.\n\n/** The answer. */\nconst a = 42;\nuse(1);\n',
      items: [item('a', 'variable', 4)],
      expected: '// Section.\n\nuse(1);\n',
      lines: [3, 4],
    },
    {
      title: 'a statement, keeping a plain comment right above it',
      input: 'run();\n// Explains the next lines.\nlet a = 1;\nuse(1);\n',
      items: [item('a', 'variable', 3)],
      expected: 'run();\n// Explains the next lines.\nuse(1);\n',
      lines: [3],
    },
    {
      title: 'a multi-line statement with a trailing comment',
      input: 'const a = {\n  x: 1,\n}; // not used\nuse(1);\n',
      items: [item('a', 'variable', 1)],
      expected: 'use(1);\n',
      lines: [1, 2, 3],
    },
    {
      title: 'the first of several declarators',
      input: 'let a = 1, b = 2;\nuse(b);\n',
      items: [item('a', 'variable', 1)],
      expected: 'let b = 2;\nuse(b);\n',
      lines: [1],
    },
    {
      title: 'the last of several declarators',
      input: 'let a = 1, b = 2;\nuse(a);\n',
      items: [item('b', 'variable', 1)],
      expected: 'let a = 1;\nuse(a);\n',
      lines: [1],
    },
    {
      title: 'every declarator, with the statement',
      input: 'let a = 1,\n  b = 2;\nuse(1);\n',
      items: [item('a', 'variable', 1), item('b', 'variable', 2)],
      expected: 'use(1);\n',
      lines: [1, 2],
    },
    {
      title: 'a destructured element',
      input: 'const { a, b } = o;\nuse(b);\n',
      items: [item('a', 'destructured', 1)],
      expected: 'const { b } = o;\nuse(b);\n',
      lines: [1],
    },
    {
      title: 'the last destructured element of an object pattern',
      input: 'const { a, b } = o;\nuse(a);\n',
      items: [item('b', 'destructured', 1)],
      expected: 'const { a } = o;\nuse(a);\n',
      lines: [1],
    },
    {
      title: 'a renamed destructured element with a default',
      input: 'const { x: a = 1, b } = o;\nuse(b);\n',
      items: [item('a', 'destructured', 1)],
      expected: 'const { b } = o;\nuse(b);\n',
      lines: [1],
    },
    {
      title: 'the only destructured element, with the statement',
      input: 'const { a } = o;\nuse(1);\n',
      items: [item('a', 'destructured', 1)],
      expected: 'use(1);\n',
      lines: [1],
    },
    {
      title: 'every destructured element, with the statement',
      input: 'const { a, b } = o;\nuse(1);\n',
      items: [item('a', 'destructured', 1), item('b', 'destructured', 1)],
      expected: 'use(1);\n',
      lines: [1],
    },
    {
      title: 'an element of a nested pattern, with the emptied nested pattern',
      input: 'const { a: { b }, c } = o;\nuse(c);\n',
      items: [item('b', 'destructured', 1)],
      expected: 'const { c } = o;\nuse(c);\n',
      lines: [1],
    },
    {
      title: 'the first element of an array pattern, as a hole',
      input: 'const [a, b] = arr;\nuse(b);\n',
      items: [item('a', 'destructured', 1)],
      expected: 'const [, b] = arr;\nuse(b);\n',
      lines: [1],
    },
    {
      title: 'the last element of an array pattern',
      input: 'const [a, b] = arr;\nuse(a);\n',
      items: [item('b', 'destructured', 1)],
      expected: 'const [a] = arr;\nuse(a);\n',
      lines: [1],
    },
    {
      title: 'the last elements of an array pattern, after a hole',
      input: 'const [a, , c] = arr;\nuse(a);\n',
      items: [item('c', 'destructured', 1)],
      expected: 'const [a] = arr;\nuse(a);\n',
      lines: [1],
    },
    {
      title: 'a middle element of an array pattern, as a hole',
      input: 'const [a, b, c] = arr;\nuse(a, c);\n',
      items: [item('b', 'destructured', 1)],
      expected: 'const [a, , c] = arr;\nuse(a, c);\n',
      lines: [1],
    },
    {
      title: 'a multi-line object pattern element',
      input: 'const {\n  a,\n  b,\n} = o;\nuse(b);\n',
      items: [item('a', 'destructured', 2)],
      expected: 'const {\n  b,\n} = o;\nuse(b);\n',
      lines: [1, 2],
    },
    {
      title: 'a function declaration with its JSDoc',
      input: 'use(1);\n\n/**\n * Helper.\n */\nfunction helper(x: number) {\n  return x;\n}\n\nexport {};\n',
      items: [item('helper', 'function', 6)],
      expected: 'use(1);\n\nexport {};\n',
      lines: [3, 4, 5, 6, 7, 8, 9],
    },
    {
      title: 'a class declaration',
      input: 'class Unused {\n  x = 1;\n}\nuse(1);\n',
      items: [item('Unused', 'class', 1)],
      expected: 'use(1);\n',
      lines: [1, 2, 3],
    },
    {
      title: 'an interface declaration',
      input: 'interface I {\n  a: string;\n}\nexport type T = number;\n',
      items: [item('I', 'interface', 1)],
      expected: 'export type T = number;\n',
      lines: [1, 2, 3],
    },
    {
      title: 'a type alias with a directive above it',
      input: 'use(1);\n// biome-ignore lint: legacy\ntype T = string;\n',
      items: [item('T', 'type', 3)],
      expected: 'use(1);\n',
      lines: [2, 3],
    },
    {
      title: 'an enum declaration',
      input: 'enum Color {\n  Red,\n}\nuse(1);\n',
      items: [item('Color', 'enum', 1)],
      expected: 'use(1);\n',
      lines: [1, 2, 3],
    },
    {
      title: 'a private property',
      input: 'export class C {\n  private a = 1;\n  b = 2;\n}\n',
      items: [item('a', 'private-member', 2)],
      expected: 'export class C {\n  b = 2;\n}\n',
      lines: [2],
    },
    {
      title: 'a private method with its JSDoc',
      input: 'export class C {\n  /** Helps. */\n  private helper(): void {\n    run();\n  }\n  b = 2;\n}\n',
      items: [item('helper', 'private-member', 3)],
      expected: 'export class C {\n  b = 2;\n}\n',
      lines: [2, 3, 4, 5],
    },
    {
      title: 'a #private field, named with or without #',
      input: 'export class C {\n  #a = 1;\n  #b = 2;\n  c = 3;\n}\n',
      items: [item('#a', 'private-member', 2), item('b', 'private-member', 3)],
      expected: 'export class C {\n  c = 3;\n}\n',
      lines: [2, 3],
    },
    {
      title: 'a local inside a function',
      input: 'export function f() {\n  const unused = 1;\n  return 2;\n}\n',
      items: [item('unused', 'variable', 2)],
      expected: 'export function f() {\n  return 2;\n}\n',
      lines: [2],
    },
    {
      title: 'a statement sharing its line with another',
      input: 'const a = 1; use(2);\n',
      items: [item('a', 'variable', 1)],
      expected: 'use(2);\n',
      lines: [1],
    },
    {
      title: 'a statement between blank lines, without leaving two blank lines',
      input: 'use(1);\n\nconst a = 1;\n\nuse(2);\n',
      items: [item('a', 'variable', 3)],
      expected: 'use(1);\n\nuse(2);\n',
      lines: [3, 4],
    },
    {
      title: 'several items of different kinds in one file',
      input:
        'const a = 1, b = 2;\nfunction f() {}\nconst { c, d } = o;\ntype T = 1;\nexport class K {\n  private m = 0;\n}\nuse(a, d);\n',
      items: [
        item('b', 'variable', 1),
        item('f', 'function', 2),
        item('c', 'destructured', 3),
        item('T', 'type', 4),
        item('m', 'private-member', 6),
      ],
      expected: 'const a = 1;\nconst { d } = o;\nexport class K {\n}\nuse(a, d);\n',
      lines: [1, 2, 3, 4, 6],
    },
    {
      title: 'the declaration nearest to the line, when the name is declared twice',
      input:
        'function f() {\n  const x = 1;\n  return 1;\n}\nfunction g() {\n  const x = 2;\n  return 2;\n}\nuse(f, g);\n',
      items: [item('x', 'variable', 7)],
      expected:
        'function f() {\n  const x = 1;\n  return 1;\n}\nfunction g() {\n  return 2;\n}\nuse(f, g);\n',
      lines: [6],
    },
    {
      title: 'with CRLF line endings',
      input: 'const a = 1;\r\nlet b = 1, c = 2;\r\nuse(c);\r\n',
      items: [item('a', 'variable', 1), item('b', 'variable', 2)],
      expected: 'let c = 2;\r\nuse(c);\r\n',
      lines: [1, 2],
    },
    {
      title: 'an initializer without side effects',
      input: 'const a = { x: [1, typeof y], f: () => g(), s: -1 } as const;\nuse(1);\n',
      items: [item('a', 'variable', 1)],
      expected: 'use(1);\n',
      lines: [1],
    },
  ])('removes $title', ({ input, items, expected, lines }) => {
    const result = run(input, items);
    expect(result.text).toBe(expected);
    expect(result.linesAffected).toEqual(lines);
    expect(result.applied).toEqual(items.map((i) => i.candidate.id));
    expect(result.skipped).toEqual([]);
  });

  it('parses .tsx files with JSX', () => {
    const file = 'src/view.tsx';
    const input =
      'export function View() {\n  const unused = <T,>(x: T) => x;\n  return <div className="a" />;\n}\n';
    const result = run(input, [item('unused', 'variable', 2, file)], file);
    expect(result.text).toBe('export function View() {\n  return <div className="a" />;\n}\n');
    expect(result.linesAffected).toEqual([2]);
  });

  it('keeps a byte order mark', () => {
    const result = run('\uFEFFconst a = 1;\nuse(1);\n', [item('a', 'variable', 1)]);
    expect(result.text).toBe('\uFEFFuse(1);\n');
  });
});
