/**
 * `pnpm bench`'s pure parts (./all-table.ts, ./all-rows.ts), on exact values: the goal checks at
 * their limits, the rows each benchmark's JSON becomes (failed tools and pieces included), the
 * goals no row judged, and the rendered table and machine lines. The benchmark itself (./all.ts)
 * is not a test.
 */
import { describe, expect, it } from 'vitest';
import {
  applyRows,
  fixRows,
  fixSecondsPerBatch,
  type ScanJson,
  scanRows,
  verifyRows,
  webhookRows,
} from './all-rows.ts';
import {
  failedRow,
  judged,
  type Machine,
  renderMachine,
  renderPieces,
  renderTable,
  unmeasuredGoals,
} from './all-table.ts';

const MB = 2 ** 20;

function tool(id: string, wallMs: number, peak: number, extra: Record<string, unknown> = {}) {
  return { id, label: id, ok: true, wallMs, peakTreeRssBytes: peak, sumPeakHwmBytes: peak / 2, ...extra };
}

describe('goal checks', () => {
  it('holds at the limit and misses just past it', () => {
    expect(judged('effectScanVsTsc', 1.0)).toEqual({ goal: 'effectScanVsTsc', verdict: 'met' });
    expect(judged('effectScanVsTsc', 1.01).verdict).toBe('MISSED');
    expect(judged('rxjsScanVsTsc', 2).verdict).toBe('met');
    expect(judged('rxjsScanVsTsc', 2.01).verdict).toBe('MISSED');
    expect(judged('effectEslintVsScan', 2).verdict).toBe('met');
    expect(judged('effectEslintVsScan', 1.99).verdict).toBe('MISSED');
    expect(judged('effectScanMemory', 2048 * MB).verdict).toBe('met');
    expect(judged('effectScanMemory', 2048 * MB + 1).verdict).toBe('MISSED');
    expect(judged('effectWarmPush', 100).verdict).toBe('met');
    expect(judged('effectWarmPush', 100.5).verdict).toBe('MISSED');
    expect(judged('applyThroughput', 500).verdict).toBe('met');
    expect(judged('applyThroughput', 499.9).verdict).toBe('MISSED');
    expect(judged('verifyShare', 0.25).verdict).toBe('met');
    expect(judged('verifyShare', 0.26).verdict).toBe('MISSED');
  });

  it('judges nothing without a value, and the webhook goal only from its own verdict', () => {
    expect(judged('effectScanVsTsc', undefined).verdict).toBe('not judged');
    expect(judged('effectScanVsTsc', Number.NaN).verdict).toBe('not judged');
    expect(judged('webhook', 10).verdict).toBe('not judged');
  });
});

describe('rows from the scan benchmark', () => {
  const json: ScanJson = {
    corpora: [
      {
        name: 'rxjs',
        version: '7.8.2',
        stats: { tsFiles: 251, lines: 20_000 },
        rows: [
          tool('tsc', 2_000, 300 * MB),
          tool('eslint', 9_000, 500 * MB),
          tool('selfreview', 3_000, 400 * MB),
          tool('warm-push', 80, 0, { peakTreeRssBytes: undefined, sumPeakHwmBytes: undefined }),
        ],
      },
      {
        name: 'effect',
        version: '4.1.0',
        rows: [
          tool('tsc', 10_000, 1_000 * MB),
          { id: 'eslint', label: 'ESLint', ok: false, error: 'exit 2:\n  out of memory | boom' },
          tool('selfreview', 9_000, 2_100 * MB),
          tool('warm-push', 150, 0, { peakTreeRssBytes: undefined, sumPeakHwmBytes: undefined }),
        ],
      },
      { name: 'zod', version: '4.6.7', error: 'npm pack failed', rows: [] },
    ],
  };
  const rows = scanRows(json);

  it('times each tool, compares the scan with tsc and ESLint with the scan, and judges the goals of each corpus', () => {
    expect(rows.map((r) => [r.measure, r.value, r.verdict])).toEqual([
      ['full scan, rxjs@7.8.2 (251 files)', '3.00 s (1.50× tsc)', 'met'],
      ['native compiler (tsc), rxjs@7.8.2', '2.00 s', undefined],
      ['ESLint, rxjs@7.8.2', '9.00 s (3.00× the scan)', undefined],
      ['push scan, warm worker (median), rxjs@7.8.2', '80 ms', undefined],
      ['full scan, effect@4.1.0', '9.00 s (0.90× tsc)', 'met'],
      ['native compiler (tsc), effect@4.1.0', '10.00 s', undefined],
      ['ESLint, effect@4.1.0', 'failed: exit 2: out of memory | boom', 'failed'],
      ['full scan peak memory, effect@4.1.0', '2,100 MB', 'MISSED'],
      ['push scan, warm worker (median), effect@4.1.0', '150 ms', 'MISSED'],
      ['corpus zod@4.6.7', 'failed: not prepared: npm pack failed', undefined],
    ]);
  });

  it('takes the larger of the sampled tree RSS and the summed VmHWM as peak memory', () => {
    expect(rows[0]?.peakMemoryBytes).toBe(400 * MB);
    const hwmLarger = scanRows({
      corpora: [
        {
          name: 'rxjs',
          version: '1',
          rows: [tool('selfreview', 1, 100 * MB, { sumPeakHwmBytes: 150 * MB })],
        },
      ],
    });
    expect(hwmLarger[0]?.peakMemoryBytes).toBe(150 * MB);
    expect(hwmLarger[0]).toMatchObject({ verdict: 'not judged', note: 'no tsc time to compare with' });
  });
});

describe('rows from the other benchmarks', () => {
  it('apply: candidates per second, missed whatever the speed when a job failed or a decision is missing', () => {
    const result = {
      repo: 'zod abc',
      candidates: 1000,
      files: 40,
      seconds: 1.6,
      perSecond: 625,
      peakRssMb: 200,
      failed: 0,
      decisions: 1000,
    };
    expect(applyRows({ results: [result] })).toEqual([
      {
        measure: 'apply throughput, zod abc',
        value: '625 candidates/s (1000 candidates, 40 files, 1.60 s)',
        peakMemoryBytes: 200 * MB,
        goal: 'applyThroughput',
        verdict: 'met',
      },
    ]);
    const [broken] = applyRows({ results: [{ ...result, failed: 1, decisions: 990 }] });
    expect(broken).toMatchObject({
      verdict: 'MISSED',
      note: '1 failed jobs, 990 decisions for 1000 candidates',
    });
  });

  it('verify: the wall-time share, missed when the incremental verdict differs from the full one', () => {
    const json = {
      repo: '/x/effect',
      project: 'tsconfig.json',
      medians: { fullWallMs: 40_000, fullCpuMs: 50_000, incrementalWallMs: 8_000, incrementalCpuMs: 5_000 },
      ratio: { wall: 0.2, cpu: 0.1 },
      peakRssBytes: 900 * MB,
      sameVerdict: true,
      kinds: ['incremental'],
    };
    expect(verifyRows(json, 'effect')).toEqual({
      measure: 'batch typecheck after a one-file edit, incremental ÷ full, effect',
      value: '20% (8.00 s vs 40.00 s; CPU 10%)',
      peakMemoryBytes: 900 * MB,
      goal: 'verifyShare',
      verdict: 'met',
    });
    expect(verifyRows({ ...json, sameVerdict: false }, 'effect').verdict).toBe('MISSED');
  });

  it('fix: the fix stage per batch, the run’s exit when not 0, a failed row without a report', () => {
    expect(fixSecondsPerBatch({ batches: 4, durationMs: 10_000 })).toBe(2.5);
    expect(fixSecondsPerBatch({ batches: 0, durationMs: 10_000 })).toBeUndefined();
    const base = {
      label: 'rxjs',
      exitCode: 0,
      timedOut: false,
      wallMs: 60_000,
      peakTreeRssBytes: 800 * MB,
      sumPeakHwmBytes: 900 * MB,
    };
    const report = {
      files: 251,
      candidates: 300,
      batches: 4,
      committed: 20,
      failed: 1,
      carriedOver: 2,
      fixMs: 10_000,
    };
    expect(fixRows({ ...base, report })).toEqual({
      measure: 'fix time per batch, rxjs',
      value: '2.50 s (4 batches in 10.00 s, 20 files committed, 1 failed, 2 carried over; whole run 60.00 s)',
      peakMemoryBytes: 800 * MB,
    });
    expect(fixRows({ ...base, exitCode: 1, timedOut: true, report: { ...report, batches: 0 } }).value).toBe(
      'no batch (300 candidates); run ended with exit 1 (timed out)',
    );
    const waiting = { status: 'carried_over', reason: 'needs_llm: resolve_todo waits for the model fixer' };
    expect(
      fixRows({
        ...base,
        report: { ...report, batches: 1, committed: 0, failed: 0, carriedOver: 2, fixMs: 80 },
        fixes: [waiting, waiting],
      }),
    ).toMatchObject({
      value: '0.08 s (1 batch in 0.08 s, 0 files committed, 0 failed, 2 carried over; whole run 60.00 s)',
      note: 'nothing fixed: every batch carried over (needs_llm: resolve_todo waits for the model fixer ×2)',
    });
    expect(fixRows({ ...base, error: 'no report; exit 1: boom' })).toEqual({
      measure: 'fix time per batch, rxjs',
      value: 'failed: no report; exit 1: boom',
    });
  });

  it('webhook: the percentiles, with the benchmark’s own verdict and reasons', () => {
    const row = webhookRows({
      options: { rate: 200, durationS: 30, connections: 10 },
      sent: 6000,
      sentRate: 199.96,
      latencyMs: { count: 6000, p50: 2.04, p90: 5.5, p99: 61.25, max: 90 },
      errors: 0,
      unanswered: 0,
      gatewayPeakRssBytes: 120 * MB,
      verdict: { state: 'MISSED', reasons: ['p99 61.3 ms > 50 ms'] },
    });
    expect(row).toEqual({
      measure: 'webhook latency p50 / p90 / p99 / max, 200/s asked for 30 s',
      value: '2.0 / 5.5 / 61.3 / 90.0 ms (200.0/s sent, 0 errors)',
      peakMemoryBytes: 120 * MB,
      goal: 'webhook',
      verdict: 'MISSED',
      note: 'p99 61.3 ms > 50 ms',
    });
  });
});

describe('the table', () => {
  it('adds a row for each goal no row judged, in the goals’ order', () => {
    const rows = [{ measure: 'a', value: '1', goal: 'applyThroughput' as const, verdict: 'met' as const }];
    expect(unmeasuredGoals(rows).map((r) => [r.measure, r.goal, r.verdict])).toEqual([
      ['full scan ÷ tsc, effect', 'effectScanVsTsc', 'not judged'],
      ['ESLint ÷ full scan, effect', 'effectEslintVsScan', 'not judged'],
      ['full scan ÷ tsc, rxjs', 'rxjsScanVsTsc', 'not judged'],
      ['full scan peak memory, effect', 'effectScanMemory', 'not judged'],
      ['push scan, warm worker, effect', 'effectWarmPush', 'not judged'],
      ['batch typecheck, incremental ÷ full', 'verifyShare', 'not judged'],
      ['webhook latency under load', 'webhook', 'not judged'],
    ]);
    // A failed row still counts as judged: it says why there is no value.
    expect(unmeasuredGoals([failedRow('x', 'boom', 'webhook')]).some((r) => r.goal === 'webhook')).toBe(
      false,
    );
  });

  it('renders one markdown table: bold for what is not met, pipes escaped, memory in MB', () => {
    const table = renderTable([
      {
        measure: 'full scan, rxjs',
        value: '3.00 s (1.50× tsc)',
        peakMemoryBytes: 400.4 * MB,
        goal: 'rxjsScanVsTsc',
        verdict: 'met',
      },
      { measure: 'native compiler (tsc), rxjs', value: '2.00 s' },
      { measure: 'fix time per batch, rxjs', value: '0.08 s', note: 'nothing fixed' },
      failedRow('apply', 'exit 1 | oops\nsecond line'),
      {
        measure: 'webhook',
        value: 'x',
        goal: 'webhook',
        verdict: 'not judged',
        note: 'this run was 200/s for 5 s',
      },
    ]);
    expect(table).toBe(
      [
        '| measure | value | peak memory | goal | met? |',
        '| --- | --- | ---: | --- | --- |',
        '| full scan, rxjs | 3.00 s (1.50× tsc) | 400 MB | ≤ 2× tsc | met |',
        '| native compiler (tsc), rxjs | 2.00 s |  |  |  |',
        '| fix time per batch, rxjs | 0.08 s; nothing fixed |  |  |  |',
        '| apply | failed: exit 1 \\| oops second line |  |  |  |',
        '| webhook | x |  | 200/s for 30 s, p99 ≤ 50 ms, no error | **not judged** (this run was 200/s for 5 s) |',
      ].join('\n'),
    );
  });

  it('states the machine, the load at both ends, the dates and the commit', () => {
    const machine: Machine = {
      cpus: 2,
      cpuModel: 'Some CPU',
      totalMemoryBytes: 24 * 2 ** 30,
      node: 'v20.19.0',
      platform: 'linux 6.1 x64',
      loadAverageStart: [3.5, 2, 1],
      loadAverageEnd: [0.5, 1, 1.25],
      startedAt: '2026-12-02T13:00:00.000Z',
      finishedAt: '2026-12-02T13:30:00.000Z',
      commit: 'abc123',
      dirty: true,
    };
    expect(renderMachine(machine)).toBe(
      [
        '- machine: 2 CPUs (Some CPU), 24.0 GB memory, Node v20.19.0, linux 6.1 x64',
        '- load average (1, 5, 15 min): 3.50 2.00 1.00 at the start, 0.50 1.00 1.25 at the end (a busy machine: times are longer than on an idle one)',
        '- date: 2026-12-02T13:00:00.000Z to 2026-12-02T13:30:00.000Z (30.0 min)',
        '- commit: abc123 with uncommitted changes in the checkout',
      ].join('\n'),
    );
    expect(
      renderPieces([
        { name: 'scan', ok: true, wallMs: 61_000 },
        { name: 'apply', ok: false, wallMs: 500, error: 'exit 1' },
      ]),
    ).toBe('- pieces: scan 61.00 s, apply 0.50 s (failed: exit 1)');
  });
});
