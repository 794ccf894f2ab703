import { describe, expect, it } from 'vitest';
import { followUpItems } from '../src/follow-up.ts';
import type { Diagnostic } from '../src/typecheck-output.ts';

const unused = (line: number, name: string, code = 6133): Diagnostic => ({
  file: 'src/a.ts',
  line,
  column: 9,
  code,
  message:
    code === 6196
      ? `'${name}' is declared but never used.`
      : `'${name}' is declared but its value is never read.`,
});

const TEXT = [
  "import { sum, type Row } from './math';", // 1
  'type Pair = [number, number];', // 2
  'export function area(xs: number[], _hint?: string): number {', // 3
  '  const total = sum(xs);', // 4
  '  return xs.length;', // 5
  '}', // 6
].join('\n');

describe('followUpItems', () => {
  it('turns names left unused into the same codemods’ items: imports, locals and types', () => {
    const { items, leftovers } = followUpItems(
      'src/a.ts',
      TEXT,
      [unused(1, 'sum'), unused(1, 'Row', 6196), unused(2, 'Pair', 6196), unused(4, 'total')],
      0.9,
    );
    expect(leftovers).toEqual([]);
    expect(items.map((i) => [i.changeType, i.candidate.evidence])).toEqual([
      [
        'remove_unused_import',
        {
          kind: 'unused-import',
          name: 'sum',
          importedName: 'sum',
          form: 'named',
          moduleSpecifier: './math',
          typeOnly: false,
          statement: "import { sum, type Row } from './math';",
        },
      ],
      [
        'remove_unused_import',
        {
          kind: 'unused-import',
          name: 'Row',
          importedName: 'Row',
          form: 'named',
          moduleSpecifier: './math',
          typeOnly: true,
          statement: "import { sum, type Row } from './math';",
        },
      ],
      [
        'remove_unused_local',
        {
          kind: 'unused-local',
          name: 'Pair',
          declarationKind: 'type',
          initializer: null,
          destructured: false,
          code: 6196,
          statement: 'type Pair = [number, number];',
        },
      ],
      [
        'remove_unused_local',
        {
          kind: 'unused-local',
          name: 'total',
          declarationKind: 'variable',
          initializer: 'sum(xs)',
          destructured: false,
          code: 6133,
          statement: 'total = sum(xs)',
        },
      ],
    ]);
    expect(items.every((i) => i.confidence === 0.9 && i.candidate.file === 'src/a.ts')).toBe(true);
  });

  it('leaves parameters and names marked unused on purpose to a person', () => {
    const { items, leftovers } = followUpItems('src/a.ts', TEXT, [unused(3, 'xs'), unused(3, '_hint')], 0.9);
    expect(items).toEqual([]);
    expect(leftovers).toEqual([
      'xs (TS6133 line 3): not a declaration the codemods finish',
      '_hint (TS6133 line 3): named as unused on purpose',
    ]);
  });

  it('ignores diagnostics of other files and other codes', () => {
    const other = { ...unused(4, 'total'), file: 'src/b.ts' };
    const typeError = { ...unused(4, 'total'), code: 2322, message: "Type 'x' is not assignable." };
    expect(followUpItems('src/a.ts', TEXT, [other, typeError], 0.9)).toEqual({ items: [], leftovers: [] });
  });
});
