import type { RunProgress } from '@selfreview/shared/coordinator';
import type { Decision, FixResult, RunReport } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { renderProgress, renderSummary, verificationSummary } from '../src/render.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const BRANCH_1 = 'selfreview/remove-unused-imports-0a1b2c3d4e';
const BRANCH_2 = 'selfreview/remove-unused-imports-5f6a7b8c9d';

function fix(
  batchId: string,
  file: string,
  status: FixResult['status'],
  lines: number[],
  landed: { branch: string; commit: string } | null,
  reason: string,
): FixResult {
  return {
    batchId,
    file,
    change_type: 'remove_unused_import',
    lines_affected: lines,
    confidence: 1,
    rollback_ref: SHA,
    branch: landed?.branch ?? null,
    commit: landed?.commit ?? null,
    status,
    verification: { typecheck: status === 'committed' ? 'pass' : 'fail', tests: 'skipped' },
    reason,
    candidateIds: [],
  };
}

function decision(candidateId: string, verdict: Decision['verdict'], reason: string): Decision {
  return { candidateId, verdict, reason, detail: '', confidence: 0.9 };
}

const REPORT: RunReport = {
  runId: 'run-1',
  repo: { path: '/tmp/repo', baseBranch: 'main', baseSha: SHA },
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:01:00.000Z',
  stages: {
    scan: { files: 12, candidates: 5, durationMs: 1234 },
    apply: { fix: 2, drop: 2, defer: 1, durationMs: 300 },
    fix: { batches: 2, committed: 2, failed: 1, carriedOver: 0, durationMs: 45_000 },
  },
  candidates: [],
  decisions: [
    decision('c1', 'drop', 'planned_todo'),
    decision('c2', 'defer', 'ambiguous_todo'),
    decision('c3', 'drop', 'planned_todo'),
    decision('c4', 'fix', 'unused_import'),
    decision('c5', 'fix', 'unused_import'),
  ],
  fixes: [
    fix(
      'run-1-b-1',
      'src/a.ts',
      'committed',
      [1, 2],
      { branch: BRANCH_1, commit: 'c'.repeat(40) },
      'committed',
    ),
    fix('run-1-b-1', 'src/long-name.ts', 'failed', [], null, 'typecheck: 1 new diagnostic(s)'),
    fix('run-1-b-2', 'src/c.ts', 'committed', [7], { branch: BRANCH_2, commit: 'd'.repeat(40) }, 'committed'),
  ],
  model: { enabled: false, calls: 0, inputTokens: 0, outputTokens: 0, estimatedCostUsd: 0 },
  pullRequests: [],
  warnings: ['big.ts: skipped (larger than 1048576 bytes)'],
};

const EMPTY_RUN: RunReport = {
  ...REPORT,
  stages: {
    scan: { files: 3, candidates: 0, durationMs: 50 },
    apply: { fix: 0, drop: 0, defer: 0, durationMs: 0 },
    fix: { batches: 0, committed: 0, failed: 0, carriedOver: 0, durationMs: 0 },
  },
  decisions: [],
  fixes: [],
  warnings: [],
};

function progress(open: Omit<RunProgress['open'], 'publish'> & { publish?: number }): RunProgress {
  return {
    open: { publish: 0, ...open },
    flushing: false,
    files: 12,
    candidates: 5,
    decisions: 0,
    fixResults: 0,
  };
}

describe('renderProgress', () => {
  it.each([
    ['scan still running', progress({ scan: 1, apply: 0, fix: 0 }), null, null, 'scan … · apply - · fix -'],
    [
      'apply under way',
      progress({ scan: 0, apply: 1, fix: 0 }),
      4,
      null,
      'scan ✓ 12 files, 5 candidates · apply 3/4 jobs · fix -',
    ],
    [
      'fix under way',
      progress({ scan: 0, apply: 0, fix: 2 }),
      4,
      3,
      'scan ✓ 12 files, 5 candidates · apply 4/4 jobs ✓ · fix 1/3 batches',
    ],
    [
      'everything done',
      progress({ scan: 0, apply: 0, fix: 0 }),
      4,
      2,
      'scan ✓ 12 files, 5 candidates · apply 4/4 jobs ✓ · fix 2/2 batches ✓',
    ],
    [
      'branches still being published',
      progress({ scan: 0, apply: 0, fix: 0, publish: 2 }),
      4,
      2,
      'scan ✓ 12 files, 5 candidates · apply 4/4 jobs ✓ · fix 2/2 batches ✓ · publishing 2 branches …',
    ],
    [
      'nothing to apply or fix',
      progress({ scan: 0, apply: 0, fix: 0 }),
      0,
      0,
      'scan ✓ 12 files, 5 candidates · apply 0/0 jobs ✓ · fix 0/0 batches ✓',
    ],
  ])('shows %s', (_state, p, applyJobs, fixBatches, expected) => {
    expect(renderProgress(p, { applyJobs, fixBatches })).toBe(expected);
  });
});

describe('renderSummary', () => {
  const lines = renderSummary(REPORT, { reportFile: '/tmp/report.json', llm: false }).split('\n');

  it('starts with the run, repository, base branch and short base sha', () => {
    expect(lines[0]).toBe('selfreview run run-1: /tmp/repo (main @ 0123456)');
    expect(lines[1]).toBe('');
  });

  it('shows the stage table with aligned columns and times in seconds', () => {
    expect(lines.slice(2, 6)).toEqual([
      '  stage  result                                            time',
      '  scan   12 files, 5 candidates                            1.2 s',
      '  apply  2 fix, 2 drop, 1 defer                            0.3 s',
      '  fix    2 batches: 2 committed, 1 failed, 0 carried over  45.0 s',
    ]);
  });

  it('says how the committed fixes were verified and what the failed ones failed at', () => {
    expect(lines.slice(6, 9)).toEqual([
      '',
      'Committed: 2 with no test command to run.',
      'Failed: 1 typecheck.',
    ]);
  });

  it('shows one fixes row per file: branch and short commit when committed, the reason otherwise', () => {
    expect(lines.slice(9, 14)).toEqual([
      '',
      'Fixes:',
      `  committed  src/a.ts          lines 1,2  ${BRANCH_1} ccccccc`,
      '  failed     src/long-name.ts  lines -    typecheck: 1 new diagnostic(s)',
      `  committed  src/c.ts          lines 7    ${BRANCH_2} ddddddd`,
    ]);
  });

  it('counts the decisions that were not fixes by verdict and reason', () => {
    expect(lines.slice(14, 18)).toEqual([
      '',
      'Not fixed:',
      '  1  defer ambiguous_todo',
      '  2  drop planned_todo',
    ]);
  });

  it('lists what the run lost as errors, before the warnings', () => {
    const lost =
      'semantic rules did not run for 2 file(s) of project tsconfig.json: the compiler exited with SIGKILL';
    const text = renderSummary({ ...REPORT, errors: [lost] }, { reportFile: null, llm: false });
    expect(text.split('\n').slice(18, 24)).toEqual([
      '',
      'Errors (the run is incomplete):',
      `  ${lost}`,
      '',
      'Warnings:',
      '  big.ts: skipped (larger than 1048576 bytes)',
    ]);
  });

  it('lists the warnings', () => {
    expect(lines.slice(18, 21)).toEqual(['', 'Warnings:', '  big.ts: skipped (larger than 1048576 bytes)']);
  });

  it('ends with the model line, review and undo commands listing every branch, and the report file', () => {
    expect(lines.slice(21)).toEqual([
      '',
      'Model: off, deterministic fixers only (changes that need the model wait as needs_llm).',
      `Review: git -C /tmp/repo log -p 0123456..${BRANCH_1}`,
      `Review: git -C /tmp/repo log -p 0123456..${BRANCH_2}`,
      `Undo: selfreview rollback ${BRANCH_1} --repo /tmp/repo`,
      `Undo: selfreview rollback ${BRANCH_2} --repo /tmp/repo`,
      'Report: /tmp/report.json',
      '',
    ]);
  });

  it.each([
    [
      'tests that fail at the base commit too, labelled for review',
      { typecheck: 'pass', tests: 'unavailable' },
      'Committed: 1 without tests (they fail at the base commit too; labelled for review).',
    ],
    ['passing tests', { typecheck: 'pass', tests: 'pass' }, 'Committed: 1 with their tests passing.'],
    [
      'a typecheck that cannot run at the base',
      { typecheck: 'unavailable', tests: 'pass' },
      'Committed: 1 with their tests passing; 1 without a typecheck (it cannot run at the base commit).',
    ],
  ] as const)('says plainly when a fix was committed with %s', (_, verification, line) => {
    const committed = {
      ...fix('b', 'src/a.ts', 'committed', [1], { branch: BRANCH_1, commit: 'c'.repeat(40) }, 'x'),
      verification,
    };
    expect(verificationSummary([committed])).toEqual([line]);
  });

  it('counts fixes that wait as needs_followup', () => {
    const waiting = fix('b', 'src/a.ts', 'carried_over', [], null, 'needs_followup: x');
    expect(verificationSummary([waiting])).toEqual([
      'Needs follow-up: 1 (the fix leaves a name unused that this batch does not remove).',
    ]);
  });

  it('leaves out the model line when a model is on', () => {
    const text = renderSummary(REPORT, { reportFile: '/tmp/report.json', llm: true });
    expect(text.split('\n').filter((l) => l.startsWith('Model:'))).toEqual([]);
  });

  it('names each branch once in the undo line', () => {
    const report: RunReport = {
      ...REPORT,
      fixes: [
        fix(
          'run-1-b-1',
          'src/a.ts',
          'committed',
          [1],
          { branch: BRANCH_1, commit: 'c'.repeat(40) },
          'committed',
        ),
        fix(
          'run-1-b-1',
          'src/b.ts',
          'committed',
          [2],
          { branch: BRANCH_1, commit: 'c'.repeat(40) },
          'committed',
        ),
      ],
    };
    const undo = renderSummary(report, { reportFile: null, llm: true })
      .split('\n')
      .filter((l) => l.startsWith('Undo'));
    expect(undo).toEqual([`Undo: selfreview rollback ${BRANCH_1} --repo /tmp/repo`]);
  });

  it('shows only the stage table for a run with nothing to fix, a model on and no report file', () => {
    expect(renderSummary(EMPTY_RUN, { reportFile: null, llm: true })).toBe(
      [
        'selfreview run run-1: /tmp/repo (main @ 0123456)',
        '',
        '  stage  result                                            time',
        '  scan   3 files, 0 candidates                             0.1 s',
        '  apply  0 fix, 0 drop, 0 defer                            0.0 s',
        '  fix    0 batches: 0 committed, 0 failed, 0 carried over  0.0 s',
        '',
        '',
      ].join('\n'),
    );
  });

  it("lists each batch's pull request with its labels, or why its branch stayed local", () => {
    const report: RunReport = {
      ...EMPTY_RUN,
      pullRequests: [
        {
          batchId: 'run-1-b-1',
          branch: BRANCH_1,
          status: 'local_only',
          forge: null,
          url: null,
          number: null,
          labels: [],
          reason: 'publishing not requested',
        },
        {
          batchId: 'run-1-b-2',
          branch: BRANCH_2,
          status: 'opened',
          forge: 'github',
          url: 'https://github.example/o/r/pull/7',
          number: 7,
          labels: ['selfreview:auto-mergeable'],
          reason: 'opened',
        },
      ],
    };
    const text = renderSummary(report, { reportFile: null, llm: true });
    expect(text.split('\n').slice(6, 10)).toEqual([
      '',
      'Pull requests:',
      `  local_only  ${BRANCH_1}  publishing not requested`,
      `  opened      ${BRANCH_2}  https://github.example/o/r/pull/7  selfreview:auto-mergeable`,
    ]);
  });

  it('shows no review or undo line when nothing was committed', () => {
    const report: RunReport = {
      ...EMPTY_RUN,
      fixes: [fix('run-1-b-1', 'src/a.ts', 'carried_over', [3], null, 'batch time limit of 10 min')],
    };
    const text = renderSummary(report, { reportFile: '/tmp/r.json', llm: false });
    expect(text.split('\n').slice(6)).toEqual([
      '',
      'Fixes:',
      '  carried_over  src/a.ts  lines 3  batch time limit of 10 min',
      '',
      'Model: off, deterministic fixers only (changes that need the model wait as needs_llm).',
      'Report: /tmp/r.json',
      '',
    ]);
  });
});
