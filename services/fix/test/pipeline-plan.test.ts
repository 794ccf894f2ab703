import type { FixItem } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { planBatch } from '../src/pipeline/plan.ts';

const BASE = '0123456789abcdef0123456789abcdef01234567';

function item(file: string, changeType: string): FixItem {
  return {
    candidate: {
      id: `unused-import:${file}:x:${changeType}`,
      rule: 'unused-import',
      file,
      line: 1,
      endLine: 1,
      message: "'x' is declared but its value is never read.",
      evidence: {
        kind: 'unused-import',
        name: 'x',
        importedName: 'x',
        form: 'named',
        moduleSpecifier: './m',
        typeOnly: false,
        statement: "import { x } from './m';",
      },
    },
    changeType,
    confidence: 0.95,
  };
}

function job(files: { file: string; items: FixItem[] }[]) {
  return {
    runId: 'run-1',
    repo: { path: '/repo' },
    baseBranch: 'main',
    baseSha: BASE,
    batchId: 'run-1-b-1',
    files,
  };
}

describe('planBatch', () => {
  it('gives each file its codemod work, and carries over files beyond the batch limit to a follow-up', () => {
    const plan = planBatch(
      job([
        { file: 'a.ts', items: [item('a.ts', 'remove_unused_import')] },
        { file: 'b.ts', items: [item('b.ts', 'remove_unused_import')] },
      ]),
      1,
      false,
    );
    expect(plan.branch).toMatch(/^selfreview\//);
    expect(plan.work).toMatchObject([
      { file: 'a.ts', via: 'codemod', status: 'pending', lines: [], summary: [] },
      {
        file: 'b.ts',
        via: 'codemod',
        status: 'carried_over',
        reason: 'batch limit of 1 files',
        continues: true,
      },
    ]);
  });

  it('leaves items with no fixer waiting, not handed on to a follow-up batch', () => {
    const plan = planBatch(
      job([
        { file: 'a.ts', items: [item('a.ts', 'remove_unused_import'), item('a.ts', 'rename_everything')] },
      ]),
      2,
      false,
    );
    expect(plan.work).toMatchObject([
      { file: 'a.ts', via: 'codemod', status: 'pending' },
      {
        file: 'a.ts',
        status: 'carried_over',
        reason: 'no codemod yet for rename_everything',
        continues: false,
      },
    ]);
  });
});
