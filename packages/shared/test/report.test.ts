import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { buildReport, type ReportInput } from '../src/report.ts';
import type { Candidate, Decision, FixResult } from '../src/schemas.ts';

const BASE_SHA = 'a'.repeat(40);
const COMMIT = 'b'.repeat(40);

function unusedImport(id: string, file: string, line: number): Candidate {
  return {
    id,
    rule: 'unused-import',
    file,
    line,
    endLine: line,
    message: `'${id}' is imported but never used`,
    evidence: {
      kind: 'unused-import',
      name: id,
      importedName: id,
      form: 'named',
      moduleSpecifier: './m',
      typeOnly: false,
      statement: `import { ${id} } from './m';`,
    },
  };
}

function todo(id: string, file: string, line: number, endLine = line): Candidate {
  return {
    id,
    rule: 'todo-comment',
    file,
    line,
    endLine,
    message: 'TODO comment',
    evidence: { kind: 'todo-comment', tag: 'TODO', text: 'later', context: ['// TODO: later'] },
  };
}

function decision(candidateId: string, verdict: Decision['verdict'], reason: string): Decision {
  return { candidateId, verdict, reason, detail: `${verdict} because ${reason}`, confidence: 0.9 };
}

function fixResult(batchId: string, file: string, status: FixResult['status']): FixResult {
  return {
    batchId,
    file,
    change_type: 'remove_unused_import',
    lines_affected: [1],
    confidence: 1,
    rollback_ref: BASE_SHA,
    branch: status === 'committed' ? 'selfreview/remove-unused-imports-0123456789' : null,
    commit: status === 'committed' ? COMMIT : null,
    status,
    verification: { typecheck: status === 'committed' ? 'pass' : 'fail', tests: 'skipped' },
    reason: status === 'committed' ? 'committed' : 'typecheck failed',
    candidateIds: [`${file}#1`],
  };
}

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    runId: 'run-1',
    repo: { path: '/tmp/repo', baseBranch: 'main', baseSha: BASE_SHA },
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:01:00.000Z',
    files: 7,
    candidates: [],
    decisions: [],
    fixes: [],
    stageTimes: {},
    warnings: [],
    ...overrides,
  };
}

describe('buildReport', () => {
  it('reports an empty run with zero counts and zero durations', () => {
    expect(buildReport(input())).toEqual({
      runId: 'run-1',
      repo: { path: '/tmp/repo', baseBranch: 'main', baseSha: BASE_SHA },
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:01:00.000Z',
      stages: {
        scan: { files: 7, candidates: 0, durationMs: 0 },
        apply: { fix: 0, drop: 0, defer: 0, durationMs: 0 },
        fix: { batches: 0, committed: 0, failed: 0, carriedOver: 0, durationMs: 0 },
      },
      candidates: [],
      decisions: [],
      fixes: [],
      model: { enabled: false, calls: 0, inputTokens: 0, outputTokens: 0, estimatedCostUsd: 0 },
      pullRequests: [],
      warnings: [],
    });
  });

  it('takes each stage duration from its start and end, and 0 for a stage that did not run', () => {
    const report = buildReport(
      input({
        stageTimes: { scan: { startMs: 1_000, endMs: 3_500 }, apply: { startMs: 4_000, endMs: 4_250 } },
      }),
    );
    expect([
      report.stages.scan.durationMs,
      report.stages.apply.durationMs,
      report.stages.fix.durationMs,
    ]).toEqual([2_500, 250, 0]);
  });

  it('carries what the run lost as errors, and has no errors field when nothing was lost', () => {
    const lost =
      'semantic rules did not run for 2 file(s) of project tsconfig.json: the compiler exited with SIGKILL';
    expect(buildReport(input({ errors: [lost] })).errors).toEqual([lost]);
    expect('errors' in buildReport(input({ errors: [] }))).toBe(false);
    expect('errors' in buildReport(input())).toBe(false);
  });

  it('never reports a negative duration', () => {
    expect(
      buildReport(input({ stageTimes: { fix: { startMs: 5_000, endMs: 4_000 } } })).stages.fix.durationMs,
    ).toBe(0);
  });

  it('sorts candidates by file then line and keeps only the report fields', () => {
    const candidates = [
      todo('t-b-9', 'src/b.ts', 9, 11),
      unusedImport('u-a-12', 'src/a.ts', 12),
      unusedImport('u-a-2', 'src/a.ts', 2),
      todo('t-A-5', 'src/A.ts', 5),
    ];
    const report = buildReport(input({ candidates }));
    expect(report.stages.scan.candidates).toBe(4);
    expect(report.candidates).toEqual([
      { id: 't-A-5', rule: 'todo-comment', file: 'src/A.ts', line: 5, endLine: 5, message: 'TODO comment' },
      {
        id: 'u-a-2',
        rule: 'unused-import',
        file: 'src/a.ts',
        line: 2,
        endLine: 2,
        message: "'u-a-2' is imported but never used",
      },
      {
        id: 'u-a-12',
        rule: 'unused-import',
        file: 'src/a.ts',
        line: 12,
        endLine: 12,
        message: "'u-a-12' is imported but never used",
      },
      { id: 't-b-9', rule: 'todo-comment', file: 'src/b.ts', line: 9, endLine: 11, message: 'TODO comment' },
    ]);
  });

  it('counts verdicts and orders decisions like the sorted candidates', () => {
    const candidates = [todo('c3', 'c.ts', 1), unusedImport('c1', 'a.ts', 1), todo('c2', 'b.ts', 1)];
    const decisions = [
      decision('c3', 'defer', 'ambiguous_todo'),
      decision('c2', 'drop', 'planned_todo'),
      decision('c1', 'fix', 'unused_import'),
    ];
    const report = buildReport(input({ candidates, decisions }));
    expect(report.stages.apply).toEqual({ fix: 1, drop: 1, defer: 1, durationMs: 0 });
    expect(report.decisions.map((d) => d.candidateId)).toEqual(['c1', 'c2', 'c3']);
    expect(report.decisions[0]).toEqual(decision('c1', 'fix', 'unused_import'));
  });

  it('counts fixes by status and batches by distinct batch id', () => {
    const fixes = [
      fixResult('run-1-b-2', 'c.ts', 'carried_over'),
      fixResult('run-1-b-1', 'b.ts', 'failed'),
      fixResult('run-1-b-1', 'a.ts', 'committed'),
      fixResult('run-1-b-3', 'd.ts', 'committed'),
    ];
    const report = buildReport(input({ fixes }));
    expect(report.stages.fix).toEqual({ batches: 3, committed: 2, failed: 1, carriedOver: 1, durationMs: 0 });
    expect(report.fixes.map((f) => `${f.batchId} ${f.file} ${f.status}`)).toEqual([
      'run-1-b-1 a.ts committed',
      'run-1-b-1 b.ts failed',
      'run-1-b-2 c.ts carried_over',
      'run-1-b-3 d.ts committed',
    ]);
  });

  it('copies the warnings', () => {
    const warnings = ['big.ts: skipped (larger than 1048576 bytes)'];
    const report = buildReport(input({ warnings }));
    expect(report.warnings).toEqual(['big.ts: skipped (larger than 1048576 bytes)']);
    expect(report.warnings).not.toBe(warnings);
  });

  it('does not reorder the arrays it was given', () => {
    const candidates = [todo('c2', 'b.ts', 1), todo('c1', 'a.ts', 1)];
    const fixes = [fixResult('b-2', 'b.ts', 'failed'), fixResult('b-1', 'a.ts', 'failed')];
    buildReport(input({ candidates, fixes }));
    expect(candidates.map((c) => c.id)).toEqual(['c2', 'c1']);
    expect(fixes.map((f) => f.batchId)).toEqual(['b-2', 'b-1']);
  });

  it.each(['../x.ts', '/etc/x.ts', 'src/../../x.ts', 'src\\x.ts'])(
    'refuses to build a report with a fix whose file %s escapes the repository',
    (file) => {
      const build = () => buildReport(input({ fixes: [fixResult('b-1', file, 'failed')] }));
      expect(build).toThrow(ZodError);
      expect(build).toThrow('must be a relative path inside the repository');
    },
  );

  it('refuses to build a report whose base commit is not a full sha', () => {
    expect(() =>
      buildReport(input({ repo: { path: '/tmp/repo', baseBranch: 'main', baseSha: 'abc1234' } })),
    ).toThrow('must be a 40-character hex commit id');
  });
});
