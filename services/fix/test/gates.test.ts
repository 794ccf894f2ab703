import { describe, expect, it } from 'vitest';
import { checkGates, type GateInput } from '../src/gates.ts';

const ok: GateInput = {
  changedFiles: ['src/a.ts', 'src/b.ts'],
  allowedFiles: ['src/a.ts', 'src/b.ts'],
  diffLines: 10,
  maxDiffLines: 10,
};

describe('checkGates', () => {
  it('passes a change to the batch files within the line limit', () => {
    expect(checkGates(ok)).toEqual([]);
  });

  it('passes a change to only some of the batch files, or none', () => {
    expect(checkGates({ ...ok, changedFiles: ['src/b.ts'] })).toEqual([]);
    expect(checkGates({ ...ok, changedFiles: [], diffLines: 0 })).toEqual([]);
  });

  it('names every changed file outside the batch, in the order they were listed', () => {
    expect(checkGates({ ...ok, changedFiles: ['src/z.ts', 'src/a.ts', 'package.json', 'src/A.ts'] })).toEqual(
      [{ gate: 'only_batch_files', detail: 'changes outside the batch: src/z.ts, package.json, src/A.ts' }],
    );
  });

  it('refuses a diff one line over the limit', () => {
    expect(checkGates({ ...ok, diffLines: 11 })).toEqual([
      { gate: 'diff_size', detail: '11 changed lines, limit 10' },
    ]);
  });

  it('reports both gates when both are broken', () => {
    expect(
      checkGates({ ...ok, changedFiles: ['src/a.ts', '.github/workflows/ci.yml'], diffLines: 500 }),
    ).toEqual([
      { gate: 'only_batch_files', detail: 'changes outside the batch: .github/workflows/ci.yml' },
      { gate: 'diff_size', detail: '500 changed lines, limit 10' },
    ]);
  });

  it('compares paths exactly, not by prefix or case', () => {
    expect(
      checkGates({
        ...ok,
        changedFiles: ['src/a.tsx', './src/a.ts', 'SRC/a.ts'],
        allowedFiles: ['src/a.ts'],
      }),
    ).toEqual([
      { gate: 'only_batch_files', detail: 'changes outside the batch: src/a.tsx, ./src/a.ts, SRC/a.ts' },
    ]);
  });
});
