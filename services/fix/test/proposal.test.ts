import type { FixItem, FixResult } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { followUpBatchId } from '../src/pipeline/conclude.ts';
import {
  LABEL_AUTO_MERGEABLE,
  LABEL_NEEDS_REVIEW,
  proposalBody,
  proposalLabels,
  proposalTitle,
} from '../src/proposal.ts';

const BASE = '0123456789abcdef0123456789abcdef01234567';
const BRANCH = 'selfreview/remove-unused-imports-abcdef0123';

function item(file: string, line: number, name: string, confidence = 0.95): FixItem {
  return {
    candidate: {
      id: `unused-import:${file}:${name}`,
      rule: 'unused-import',
      file,
      line,
      endLine: line,
      message: `'${name}' is declared but its value is never read.`,
      evidence: {
        kind: 'unused-import',
        name,
        importedName: name,
        form: 'named',
        moduleSpecifier: './m',
        typeOnly: false,
        statement: `import { ${name} } from './m';`,
      },
    },
    changeType: 'remove_unused_import',
    confidence,
  };
}

function result(file: string, ids: string[], overrides: Partial<FixResult> = {}): FixResult {
  return {
    batchId: 'run-1-b-1',
    file,
    change_type: 'remove_unused_import',
    lines_affected: [1],
    confidence: 0.95,
    rollback_ref: BASE,
    branch: BRANCH,
    commit: 'c'.repeat(40),
    status: 'committed',
    verification: { typecheck: 'pass', tests: 'pass' },
    reason: 'removed',
    candidateIds: ids,
    ...overrides,
  };
}

describe('proposalLabels', () => {
  it('is auto-mergeable only when typecheck and tests passed and every fix is at least 0.9 confident', () => {
    expect(proposalLabels([result('a.ts', [])])).toEqual([LABEL_AUTO_MERGEABLE]);
    expect(proposalLabels([result('a.ts', [], { confidence: 0.9 })])).toEqual([LABEL_AUTO_MERGEABLE]);
    expect(proposalLabels([result('a.ts', []), result('b.ts', [], { confidence: 0.89 })])).toEqual([
      LABEL_NEEDS_REVIEW,
    ]);
    expect(
      proposalLabels([result('a.ts', [], { verification: { typecheck: 'pass', tests: 'skipped' } })]),
    ).toEqual([LABEL_NEEDS_REVIEW]);
    expect(proposalLabels([])).toEqual([LABEL_NEEDS_REVIEW]);
  });

  it.each(['resolve_todo', 'split_long_function', 'reduce_nesting', 'add_missing_test'] as const)(
    'never auto-merges a model change (%s), however confident and well verified',
    (changeType) => {
      // A second opinion can lift a TODO's confidence to 1; the label does not follow it.
      const model = result('b.ts', [], { change_type: changeType, confidence: 1 });
      expect(proposalLabels([model])).toEqual([LABEL_NEEDS_REVIEW]);
      expect(proposalLabels([result('a.ts', []), model])).toEqual([LABEL_NEEDS_REVIEW]);
    },
  );
});

describe('proposalTitle', () => {
  it('names the change and counts files', () => {
    expect(proposalTitle([result('a.ts', [])])).toBe('selfreview: remove unused imports in 1 file');
    expect(
      proposalTitle([result('a.ts', []), result('b.ts', [], { change_type: 'remove_unused_local' })]),
    ).toBe('selfreview: code health fixes in 2 files');
  });
});

describe('proposalBody', () => {
  it('lists the findings, the verification, the fix results and how to undo, in this order', () => {
    const items = [item('src/b.ts', 4, 'y', 0.91), item('src/a.ts', 2, 'x'), item('src/c.ts', 1, 'failed')];
    const body = proposalBody({
      batchId: 'run-1-b-1',
      branch: BRANCH,
      baseBranch: 'main',
      baseSha: BASE,
      committed: [
        result('src/b.ts', ['unused-import:src/b.ts:y'], { lines_affected: [4, 5], confidence: 0.91 }),
        result('src/a.ts', ['unused-import:src/a.ts:x'], {
          verification: { typecheck: 'pass', tests: 'skipped' },
        }),
      ],
      items,
    });
    expect(body).toBe(
      [
        'selfreview fixed 2 findings in 2 files, verified the change, and leaves the merge to you: it never merges.',
        '',
        '### Findings',
        "- `src/a.ts` line 2: 'x' is declared but its value is never read. (unused-import, confidence 0.95)",
        "- `src/b.ts` line 4: 'y' is declared but its value is never read. (unused-import, confidence 0.91)",
        '',
        '### Verification',
        '- Typecheck: pass (no new diagnostics compared with main @ 0123456)',
        '- Tests: pass / skipped',
        '- Hard gates: passed (only these files, no test removed or weakened, no secret, no protected path, manifest, lockfile or CI file)',
        '',
        '### Fix results',
        '| file | change | lines | confidence | status |',
        '| --- | --- | --- | --- | --- |',
        '| `src/a.ts` | remove_unused_import | 1 | 0.95 | committed |',
        '| `src/b.ts` | remove_unused_import | 4, 5 | 0.91 | committed |',
        '',
        '### Undo',
        `- Before merging: close this request and run \`selfreview rollback ${BRANCH}\` to delete the branch.`,
        `- After merging: \`selfreview rollback ${BRANCH}\` reverts the commit on a new branch; history is never rewritten.`,
        `- Rollback ref (the base before the fix): \`${BASE}\``,
        '',
        '<!-- selfreview-batch: run-1-b-1 -->',
        '',
      ].join('\n'),
    );
  });

  it('says why tests were skipped, and keeps messages on one line without table-breaking pipes', () => {
    const odd = item('src/a.ts', 2, 'x');
    odd.candidate.message = 'a | b\nc';
    const body = proposalBody({
      batchId: 'b',
      branch: BRANCH,
      baseBranch: 'main',
      baseSha: BASE,
      committed: [
        result('src/a.ts', [odd.candidate.id], { verification: { typecheck: 'pass', tests: 'skipped' } }),
      ],
      items: [odd],
    });
    expect(body).toContain('- `src/a.ts` line 2: a \\| b c (unused-import, confidence 0.95)');
    expect(body).toContain('- Tests: skipped (the repository has no test command)');
    expect(body).toContain('selfreview fixed 1 finding in 1 file,');
  });
});

describe('followUpBatchId', () => {
  it('numbers follow-ups from the root batch and stays within 80 characters', () => {
    expect(followUpBatchId('run-1-b-3', 1, 1)).toBe('run-1-b-3-c1-1');
    expect(followUpBatchId('run-1-b-3-c1-1', 2, 2)).toBe('run-1-b-3-c2-2');
    const long = `${'r'.repeat(76)}-b-1`;
    expect(followUpBatchId(long, 3, 1)).toHaveLength(80);
    expect(followUpBatchId(long, 3, 1).endsWith('-c3-1')).toBe(true);
  });
});

describe('changedLines', () => {
  it('names the original lines between the common prefix and suffix, or the insertion point', async () => {
    const { changedLines } = await import('../src/pipeline/changed-lines.ts');
    expect(changedLines('a\nb\nc\nd\n', 'a\nB\nc\nd\n')).toEqual([2]);
    expect(changedLines('a\nb\nc\nd\n', 'a\nd\n')).toEqual([2, 3]);
    expect(changedLines('a\nb\n', 'a\nx\nb\n')).toEqual([2]);
  });
});
