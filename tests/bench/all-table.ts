/**
 * The pure parts of `pnpm bench` (./all.ts): the goals of issue 16, a row and its goal check, and
 * the one markdown table with the machine under it; the rows themselves come from ./all-rows.ts.
 * Nothing here runs a process or reads a file; ./all-table.test.ts checks exact values.
 */
import { cell, MB, megabytes, oneLine, seconds } from './all-format.ts';

/** The goals of issue 16 item 6, in the order the table lists them. */
export const GOALS = {
  effectScanVsTsc: { text: '≤ 1.0× tsc', check: (ratio: number) => ratio <= 1.0 },
  effectEslintVsScan: { text: '≥ 2× the scan', check: (ratio: number) => ratio >= 2 },
  rxjsScanVsTsc: { text: '≤ 2× tsc', check: (ratio: number) => ratio <= 2 },
  effectScanMemory: { text: '≤ 2 GB', check: (bytes: number) => bytes <= 2 * 1024 * MB },
  effectWarmPush: { text: '≤ 100 ms', check: (ms: number) => ms <= 100 },
  applyThroughput: { text: '≥ 500 candidates/s', check: (perSecond: number) => perSecond >= 500 },
  verifyShare: { text: '≤ 25% of a full tsc', check: (share: number) => share <= 0.25 },
  /** Judged by webhook-bench.ts itself (rate sent, p99, errors, triggers in Redis): its verdict is taken. */
  webhook: { text: '200/s for 30 s, p99 ≤ 50 ms, no error', check: undefined },
} as const satisfies Record<string, { text: string; check: ((value: number) => boolean) | undefined }>;

export type GoalId = keyof typeof GOALS;

/** What a row says about its goal: none, met, missed, or why it could not be judged. */
export type Verdict = 'met' | 'MISSED' | 'not judged' | 'failed';

export type Row = {
  measure: string;
  value: string;
  peakMemoryBytes?: number;
  goal?: GoalId;
  verdict?: Verdict;
  /** Why the verdict is what it is, when that is not obvious from the value. */
  note?: string;
};

/** A row for `goal` from the measured `value` (undefined: nothing to judge). */
export function judged(goal: GoalId, value: number | undefined): Pick<Row, 'goal' | 'verdict'> {
  const check: ((v: number) => boolean) | undefined = GOALS[goal].check;
  if (value === undefined || !Number.isFinite(value) || check === undefined)
    return { goal, verdict: 'not judged' };
  return { goal, verdict: check(value) ? 'met' : 'MISSED' };
}

export function failedRow(measure: string, error: string, goal?: GoalId): Row {
  return { measure, value: `failed: ${oneLine(error)}`, ...(goal ? { goal, verdict: 'failed' } : {}) };
}

// ─── The table ─────────────────────────────────────────────────────────────────────────────────

/** One row per goal no row judged (its piece was left out, or --quick skipped its corpus). */
export function unmeasuredGoals(rows: readonly Row[]): Row[] {
  const seen = new Set(rows.flatMap((r) => (r.goal ? [r.goal] : [])));
  return (Object.keys(GOALS) as GoalId[])
    .filter((id) => !seen.has(id))
    .map((id) => ({
      measure: GOAL_MEASURES[id],
      value: 'not measured in this run',
      goal: id,
      verdict: 'not judged',
    }));
}

const GOAL_MEASURES: Record<GoalId, string> = {
  effectScanVsTsc: 'full scan ÷ tsc, effect',
  effectEslintVsScan: 'ESLint ÷ full scan, effect',
  rxjsScanVsTsc: 'full scan ÷ tsc, rxjs',
  effectScanMemory: 'full scan peak memory, effect',
  effectWarmPush: 'push scan, warm worker, effect',
  applyThroughput: 'apply throughput',
  verifyShare: 'batch typecheck, incremental ÷ full',
  webhook: 'webhook latency under load',
};

export function renderTable(rows: readonly Row[]): string {
  const lines = ['| measure | value | peak memory | goal | met? |', '| --- | --- | ---: | --- | --- |'];
  for (const r of rows) {
    const verdict = r.verdict === undefined ? '' : r.verdict === 'met' ? 'met' : `**${r.verdict}**`;
    // A note explains the verdict; on a row without a goal it goes with the value.
    const note = r.note && r.goal ? ` (${r.note})` : '';
    const value = r.note && !r.goal ? `${r.value}; ${r.note}` : r.value;
    const cells = [
      cell(r.measure),
      cell(value),
      r.peakMemoryBytes !== undefined ? `${megabytes(r.peakMemoryBytes)} MB` : '',
      r.goal ? GOALS[r.goal].text : '',
      cell(`${verdict}${note}`),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export type Machine = {
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  node: string;
  platform: string;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  startedAt: string;
  finishedAt: string;
  commit: string;
  /** Tracked files changed in the checkout when the run started. */
  dirty: boolean;
};

export function renderMachine(m: Machine): string {
  const load = (l: number[]) => l.map((n) => n.toFixed(2)).join(' ');
  const minutes = (Date.parse(m.finishedAt) - Date.parse(m.startedAt)) / 60_000;
  return [
    `- machine: ${m.cpus} CPUs (${m.cpuModel}), ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GB memory, Node ${m.node}, ${m.platform}`,
    `- load average (1, 5, 15 min): ${load(m.loadAverageStart)} at the start, ${load(m.loadAverageEnd)} at the end${m.loadAverageStart[0]! > m.cpus * 0.5 ? ' (a busy machine: times are longer than on an idle one)' : ''}`,
    `- date: ${m.startedAt} to ${m.finishedAt} (${minutes.toFixed(1)} min)`,
    `- commit: ${m.commit}${m.dirty ? ' with uncommitted changes in the checkout' : ''}`,
  ].join('\n');
}

export type PieceOutcome = { name: string; ok: boolean; wallMs: number; error?: string };

export function renderPieces(pieces: readonly PieceOutcome[]): string {
  return `- pieces: ${pieces
    .map((p) => `${p.name} ${seconds(p.wallMs)}${p.ok ? '' : ` (failed: ${oneLine(p.error ?? '')})`}`)
    .join(', ')}`;
}
