import { describe, expect, it } from 'vitest';
import { unusedImport } from '../../../tests/helpers/factories.ts';
import { groupForApply } from '../src/coordinator/hand-over.ts';

const shape = (groups: ReturnType<typeof groupForApply>) =>
  groups.map((g) => g.map((f) => `${f.file}:${f.candidates.length}`));

describe('groupForApply', () => {
  it('groups the files in path order, each file with its candidates in the order found', () => {
    const found = [unusedImport('b.ts', '1'), unusedImport('a.ts', '2'), unusedImport('b.ts', '3')];
    const groups = groupForApply(found, { maxFiles: 50, maxCandidates: 500 });
    expect(groups).toEqual([
      [
        { file: 'a.ts', candidates: [found[1]] },
        { file: 'b.ts', candidates: [found[0], found[2]] },
      ],
    ]);
  });

  it('cuts at the file limit', () => {
    const found = ['a', 'b', 'c', 'd', 'e'].map((f) => unusedImport(`${f}.ts`, 'x'));
    expect(shape(groupForApply(found, { maxFiles: 2, maxCandidates: 500 }))).toEqual([
      ['a.ts:1', 'b.ts:1'],
      ['c.ts:1', 'd.ts:1'],
      ['e.ts:1'],
    ]);
  });

  it('cuts before the candidate limit is passed, and never splits a file', () => {
    const found = [
      ...['1', '2'].map((n) => unusedImport('a.ts', n)),
      ...['1', '2', '3', '4', '5'].map((n) => unusedImport('b.ts', n)),
      unusedImport('c.ts', '1'),
      ...['1', '2'].map((n) => unusedImport('d.ts', n)),
    ];
    expect(shape(groupForApply(found, { maxFiles: 50, maxCandidates: 3 }))).toEqual([
      ['a.ts:2'],
      ['b.ts:5'],
      ['c.ts:1', 'd.ts:2'],
    ]);
  });

  it('gives the same groups for the same candidates in any order, and none for none', () => {
    const found = Array.from({ length: 130 }, (_, i) => unusedImport(`src/${i}.ts`, String(i)));
    const groups = groupForApply(found);
    expect(groups.map((g) => g.length)).toEqual([50, 50, 30]);
    expect(groupForApply([...found].reverse())).toEqual(groups);
    expect(groupForApply([])).toEqual([]);
  });
});
