import { describe, expect, it } from 'vitest';
import { fixItem, unusedImport } from '../../../tests/helpers/factories.ts';
import { planBatches } from '../src/batches.ts';

const item = (file: string, line = 1) =>
  fixItem(unusedImport(file, `x${line}`, { line, from: './x' }), { confidence: 1 });

/** The batches as lists of file names, to compare shapes at a glance. */
const shape = (batches: ReturnType<typeof planBatches>) =>
  batches.map((b) => ({ index: b.index, files: b.files.map((f) => f.file) }));

describe('planBatches', () => {
  it('puts at most maxFiles files in each batch, in path order', () => {
    const fixable = new Map([
      ['src/c.ts', [item('src/c.ts')]],
      ['src/a.ts', [item('src/a.ts')]],
      ['lib/z.ts', [item('lib/z.ts')]],
      ['src/b.ts', [item('src/b.ts')]],
      ['src/B.ts', [item('src/B.ts')]],
    ]);
    expect(shape(planBatches(fixable, 2))).toEqual([
      { index: 0, files: ['lib/z.ts', 'src/B.ts'] },
      { index: 1, files: ['src/a.ts', 'src/b.ts'] },
      { index: 2, files: ['src/c.ts'] },
    ]);
  });

  it.each([
    [1, [['a.ts'], ['b.ts'], ['c.ts']]],
    [2, [['a.ts', 'b.ts'], ['c.ts']]],
    [3, [['a.ts', 'b.ts', 'c.ts']]],
    [20, [['a.ts', 'b.ts', 'c.ts']]],
  ])('splits three files with maxFiles %i', (maxFiles, expected) => {
    const fixable = new Map(['c.ts', 'a.ts', 'b.ts'].map((f) => [f, [item(f)]]));
    expect(planBatches(fixable, maxFiles).map((b) => b.files.map((f) => f.file))).toEqual(expected);
  });

  it('keeps each file together with all of its items', () => {
    const items = [item('a.ts', 3), item('a.ts', 1), item('a.ts', 2)];
    expect(planBatches(new Map([['a.ts', items]]), 1)).toEqual([
      { index: 0, files: [{ file: 'a.ts', items }] },
    ]);
  });

  it('skips files with no items', () => {
    const fixable = new Map([
      ['a.ts', []],
      ['b.ts', [item('b.ts')]],
      ['c.ts', []],
      ['d.ts', [item('d.ts')]],
    ]);
    expect(shape(planBatches(fixable, 1))).toEqual([
      { index: 0, files: ['b.ts'] },
      { index: 1, files: ['d.ts'] },
    ]);
  });

  it('returns no batches when nothing is fixable', () => {
    expect(planBatches(new Map(), 2)).toEqual([]);
    expect(planBatches(new Map([['a.ts', []]]), 2)).toEqual([]);
  });

  it('gives the same batches whatever order the map was filled in', () => {
    const files = ['src/d.ts', 'src/a.ts', 'src/c.ts', 'src/b.ts', 'src/e.ts'];
    const forward = new Map(files.map((f) => [f, [item(f)]]));
    const backward = new Map([...files].reverse().map((f) => [f, [item(f)]]));
    expect(planBatches(forward, 2)).toEqual(planBatches(backward, 2));
    expect(planBatches(forward, 2)).toEqual(planBatches(forward, 2));
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'throws a RangeError for maxFiles %s',
    (maxFiles) => {
      expect(() => planBatches(new Map([['a.ts', [item('a.ts')]]]), maxFiles)).toThrow(
        new RangeError(`maxFiles must be a positive integer, got ${maxFiles}`),
      );
    },
  );
});
