import type { FixItem } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { type Attempt, attemptOutcome, rejected, stopped } from '../src/pipeline/attempt.ts';
import type { Deadline } from '../src/pipeline/deadline.ts';
import { carriedOver, committed, failed, pending, type Work } from '../src/pipeline/work.ts';

const BASE = '0123456789abcdef0123456789abcdef01234567';
const COMMIT = 'c'.repeat(40);
const BRANCH = 'selfreview/remove-unused-imports-abcdef0123';
const DATA = {
  runId: 'run-1',
  repo: { path: '/repo' },
  baseBranch: 'main',
  baseSha: BASE,
  batchId: 'run-1-b-1',
  files: [{ file: 'a.ts', items: [item('a.ts')] }],
};

function item(file: string, confidence = 0.95): FixItem {
  return {
    candidate: {
      id: `unused-import:${file}:x`,
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
    changeType: 'remove_unused_import',
    confidence,
  };
}

const deadline = (passed: boolean): Deadline => ({
  signal: passed ? AbortSignal.abort() : new AbortController().signal,
  at: 0,
  minutes: 7,
});

function edited(file: string, lines: number[]) {
  return { ...pending(file, [item(file)], 'codemod'), lines, summary: [`removed x from ${file}`] };
}

describe('attemptOutcome', () => {
  it('fails the pending works with a rejection and reports the typecheck as failed for them', () => {
    const work: Work[] = [
      edited('a.ts', [1]),
      failed(edited('b.ts', [2]), 'typecheck: 1 new diagnostic(s): TS2304'),
      failed(edited('c.ts', [3]), 'nothing to change: no applicable fix'),
    ];
    const attempt = stopped(rejected('typecheck', 'new diagnostics in d.ts: TS2304'), work, []);
    const outcome = attemptOutcome(DATA, BRANCH, attempt, deadline(false));
    expect(outcome.branch).toBeNull();
    expect(outcome.carried).toEqual([]);
    expect(
      outcome.results.map((r) => [r.file, r.status, r.reason, r.lines_affected, r.verification]),
    ).toEqual([
      ['a.ts', 'failed', 'new diagnostics in d.ts: TS2304', [1], { typecheck: 'fail', tests: 'skipped' }],
      [
        'b.ts',
        'failed',
        'typecheck: 1 new diagnostic(s): TS2304',
        [2],
        { typecheck: 'fail', tests: 'skipped' },
      ],
      [
        'c.ts',
        'failed',
        'nothing to change: no applicable fix',
        [3],
        { typecheck: 'fail', tests: 'skipped' },
      ],
    ]);
  });

  it('keeps the verification a test or gate rejection reached', () => {
    const attempt = stopped(rejected('gate', 'gate diff_size: 500 lines'), [edited('a.ts', [1])], [], {
      typecheck: 'pass',
      tests: 'pass',
    });
    const [result] = attemptOutcome(DATA, BRANCH, attempt, deadline(false)).results;
    expect(result).toMatchObject({
      status: 'failed',
      reason: 'gate diff_size: 500 lines',
      verification: { typecheck: 'pass', tests: 'pass' },
      branch: null,
      commit: null,
      rollback_ref: BASE,
    });
  });

  it('past the time limit carries the unfinished works over to a follow-up, whatever stopped the batch', () => {
    const work: Work[] = [
      edited('a.ts', [1]),
      failed(edited('b.ts', [2]), 'model answer rejected (no_tool): x'),
    ];
    const attempt = stopped(rejected('tests', 'tests timed out after 60 s'), work, [], {
      typecheck: 'pass',
      tests: 'fail',
    });
    const outcome = attemptOutcome(DATA, BRANCH, attempt, deadline(true));
    expect(outcome.carried).toMatchObject([
      { file: 'a.ts', status: 'carried_over', reason: 'batch time limit of 7 min', continues: true },
    ]);
    expect(outcome.results.map((r) => [r.file, r.status, r.verification])).toEqual([
      ['b.ts', 'failed', { typecheck: 'pass', tests: 'fail' }],
    ]);
  });

  it('names the branch and commit on the committed works only; carried works are left to conclude', () => {
    const attempt: Attempt = {
      outcome: 'committed',
      commit: COMMIT,
      work: [
        committed(edited('a.ts', [1, 2]), 'removed x from a.ts'),
        failed(edited('b.ts', [4]), 'typecheck: 1 new diagnostic(s): TS2304'),
        carriedOver(edited('c.ts', []), 'needs_followup: the fix leaves y unused', false),
      ],
      verification: { typecheck: 'pass', tests: 'unavailable' },
      notes: [],
    };
    const outcome = attemptOutcome(DATA, BRANCH, attempt, deadline(true));
    expect(outcome.branch).toBe(BRANCH);
    expect(outcome.carried.map((w) => w.file)).toEqual(['c.ts']);
    expect(outcome.results.map((r) => [r.file, r.status, r.branch, r.commit, r.verification])).toEqual([
      ['a.ts', 'committed', BRANCH, COMMIT, { typecheck: 'pass', tests: 'unavailable' }],
      ['b.ts', 'failed', null, null, { typecheck: 'fail', tests: 'unavailable' }],
    ]);
  });

  it('with nothing left to commit reports the works as they ended, unverified', () => {
    const attempt = stopped(
      { kind: 'nothing_to_commit' },
      [failed(edited('a.ts', []), 'nothing to change')],
      [],
    );
    const outcome = attemptOutcome(DATA, BRANCH, attempt, deadline(false));
    expect(outcome.results.map((r) => [r.status, r.verification])).toEqual([
      ['failed', { typecheck: 'skipped', tests: 'skipped' }],
    ]);
  });
});
