/**
 * The pure parts of `pnpm bench` (./all.ts): the goals of issue 16, the rows each benchmark's
 * `--json` output becomes, the goal checks, and the one markdown table with the machine under it.
 * Nothing here runs a process or reads a file; ./all-table.test.ts checks exact values.
 */

const MB = 2 ** 20;

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

// ─── scan-bench.ts --json ──────────────────────────────────────────────────────────────────────

type ScanToolRow = {
  id: string;
  label: string;
  ok: boolean;
  error?: string;
  wallMs?: number;
  peakTreeRssBytes?: number;
  sumPeakHwmBytes?: number;
  findings?: number;
};
type ScanCorpus = {
  name: string;
  version: string;
  error?: string;
  stats?: { tsFiles: number; lines: number };
  rows: ScanToolRow[];
};
export type ScanJson = { tools?: { id: string; label: string }[]; corpora: ScanCorpus[] };

/** The larger of the sampled tree RSS and the summed VmHWM: errs against the tool measured. */
function peakOf(row: ScanToolRow): number | undefined {
  if (row.peakTreeRssBytes === undefined && row.sumPeakHwmBytes === undefined) return undefined;
  return Math.max(row.peakTreeRssBytes ?? 0, row.sumPeakHwmBytes ?? 0);
}

function okTime(rows: ScanToolRow[], id: string): number | undefined {
  const row = rows.find((r) => r.id === id);
  return row?.ok ? row.wallMs : undefined;
}

export function scanRows(json: ScanJson): Row[] {
  const rows: Row[] = [];
  for (const corpus of json.corpora) {
    const name = `${corpus.name}@${corpus.version}`;
    const isEffect = corpus.name === 'effect';
    const isRxjs = corpus.name === 'rxjs';
    if (corpus.error !== undefined) {
      rows.push(failedRow(`corpus ${name}`, `not prepared: ${corpus.error}`));
      continue;
    }
    const size = corpus.stats ? ` (${corpus.stats.tsFiles} files)` : '';
    const tsc = okTime(corpus.rows, 'tsc');
    const scan = okTime(corpus.rows, 'selfreview');
    const eslint = okTime(corpus.rows, 'eslint');
    const byId = (id: string) => corpus.rows.find((r) => r.id === id);

    const scanRow = byId('selfreview');
    const scanGoal: GoalId | undefined = isEffect ? 'effectScanVsTsc' : isRxjs ? 'rxjsScanVsTsc' : undefined;
    if (scanRow) {
      const ratio = scan !== undefined && tsc !== undefined ? scan / tsc : undefined;
      rows.push(
        scanRow.ok && scan !== undefined
          ? {
              measure: `full scan, ${name}${size}`,
              value: `${seconds(scan)}${ratio !== undefined ? ` (${times(ratio)} tsc)` : ''}`,
              ...memory(peakOf(scanRow)),
              ...(scanGoal ? judged(scanGoal, ratio) : {}),
              ...(scanGoal && ratio === undefined ? { note: 'no tsc time to compare with' } : {}),
            }
          : failedRow(`full scan, ${name}`, scanRow.error ?? 'failed', scanGoal),
      );
    }
    const tscRow = byId('tsc');
    if (tscRow) {
      rows.push(
        tscRow.ok && tsc !== undefined
          ? { measure: `native compiler (tsc), ${name}`, value: seconds(tsc), ...memory(peakOf(tscRow)) }
          : failedRow(`native compiler (tsc), ${name}`, tscRow.error ?? 'failed'),
      );
    }
    const eslintRow = byId('eslint');
    const eslintGoal: GoalId | undefined = isEffect ? 'effectEslintVsScan' : undefined;
    if (eslintRow) {
      const ratio = eslint !== undefined && scan !== undefined ? eslint / scan : undefined;
      rows.push(
        eslintRow.ok && eslint !== undefined
          ? {
              measure: `ESLint, ${name}`,
              value: `${seconds(eslint)}${ratio !== undefined ? ` (${times(ratio)} the scan)` : ''}`,
              ...memory(peakOf(eslintRow)),
              ...(eslintGoal ? judged(eslintGoal, ratio) : {}),
            }
          : failedRow(`ESLint, ${name}`, eslintRow.error ?? 'failed', eslintGoal),
      );
    }
    if (isEffect && scanRow) {
      const peak = scanRow.ok ? peakOf(scanRow) : undefined;
      rows.push(
        peak !== undefined
          ? {
              measure: `full scan peak memory, ${name}`,
              value: `${megabytes(peak)} MB`,
              peakMemoryBytes: peak,
              ...judged('effectScanMemory', peak),
            }
          : failedRow(`full scan peak memory, ${name}`, scanRow.error ?? 'failed', 'effectScanMemory'),
      );
    }
    const push = byId('warm-push');
    const pushGoal: GoalId | undefined = isEffect ? 'effectWarmPush' : undefined;
    if (push) {
      rows.push(
        push.ok && push.wallMs !== undefined
          ? {
              measure: `push scan, warm worker (median), ${name}`,
              value: `${Math.round(push.wallMs)} ms`,
              ...memory(peakOf(push)),
              ...(pushGoal ? judged(pushGoal, push.wallMs) : {}),
            }
          : failedRow(`push scan, warm worker, ${name}`, push.error ?? 'failed', pushGoal),
      );
    }
  }
  return rows;
}

// ─── apply-bench.ts --json ─────────────────────────────────────────────────────────────────────

export type ApplyJson = {
  results: {
    repo: string;
    candidates: number;
    files: number;
    seconds: number;
    perSecond: number;
    peakRssMb: number;
    failed: number;
    decisions: number;
  }[];
};

export function applyRows(json: ApplyJson): Row[] {
  return json.results.map((r) => {
    const complete = r.failed === 0 && r.decisions === r.candidates;
    return {
      measure: `apply throughput, ${r.repo}`,
      value: `${Math.round(r.perSecond)} candidates/s (${r.candidates} candidates, ${r.files} files, ${r.seconds.toFixed(2)} s)`,
      peakMemoryBytes: r.peakRssMb * MB,
      ...(complete
        ? judged('applyThroughput', r.perSecond)
        : {
            goal: 'applyThroughput' as const,
            verdict: 'MISSED' as const,
            note: `${r.failed} failed jobs, ${r.decisions} decisions for ${r.candidates} candidates`,
          }),
    };
  });
}

// ─── verify-bench.ts --json ────────────────────────────────────────────────────────────────────

export type VerifyJson = {
  repo: string;
  project: string;
  medians: { fullWallMs: number; fullCpuMs: number; incrementalWallMs: number; incrementalCpuMs: number };
  ratio: { wall: number; cpu: number };
  peakRssBytes: number;
  sameVerdict: boolean;
  kinds: string[];
};

export function verifyRows(json: VerifyJson, label: string): Row {
  const m = json.medians;
  return {
    measure: `batch typecheck after a one-file edit, incremental ÷ full, ${label}`,
    value: `${percent(json.ratio.wall)} (${seconds(m.incrementalWallMs)} vs ${seconds(m.fullWallMs)}; CPU ${percent(json.ratio.cpu)})`,
    peakMemoryBytes: json.peakRssBytes,
    ...(json.sameVerdict
      ? judged('verifyShare', json.ratio.wall)
      : {
          goal: 'verifyShare' as const,
          verdict: 'MISSED' as const,
          note: 'not the verdict of the full check',
        }),
  };
}

// ─── fix-bench.ts --json ───────────────────────────────────────────────────────────────────────

export type FixJson = {
  label: string;
  exitCode: number | null;
  timedOut: boolean;
  wallMs: number;
  peakTreeRssBytes: number;
  sumPeakHwmBytes: number;
  report?: {
    files: number;
    candidates: number;
    batches: number;
    committed: number;
    failed: number;
    carriedOver: number;
    fixMs: number;
  };
  /** What became of each file of each batch, from the report. */
  fixes?: { status: string; reason: string }[];
  error?: string;
};

/** The fix stage's wall time per batch, from a run report's stages (undefined without batches). */
export function fixSecondsPerBatch(stage: { batches: number; durationMs: number }): number | undefined {
  return stage.batches > 0 ? stage.durationMs / 1000 / stage.batches : undefined;
}

export function fixRows(json: FixJson): Row {
  const measure = `fix time per batch, ${json.label}`;
  const r = json.report;
  if (!r) return failedRow(measure, json.error ?? `no report (exit ${json.exitCode})`);
  const perBatch = fixSecondsPerBatch({ batches: r.batches, durationMs: r.fixMs });
  const partial =
    json.exitCode !== 0 ? `; run ended with exit ${json.exitCode}${json.timedOut ? ' (timed out)' : ''}` : '';
  // A batch only carried over (it waits for a model, or for the next run) fixed nothing: its time
  // is not a fix's, and the row says so.
  const nothingFixed = perBatch !== undefined && r.committed + r.failed === 0;
  const reasons = nothingFixed ? countsOf((json.fixes ?? []).map((f) => f.reason)) : '';
  return {
    measure,
    value:
      perBatch === undefined
        ? `no batch (${r.candidates} candidates)${partial}`
        : `${perBatch.toFixed(2)} s (${r.batches} batch${r.batches === 1 ? '' : 'es'} in ${seconds(r.fixMs)}, ${r.committed} files committed, ${r.failed} failed, ${r.carriedOver} carried over; whole run ${seconds(json.wallMs)})${partial}`,
    // The sampled tree RSS: the run's tree holds many short-lived processes (git, tsc), whose summed
    // VmHWM counts peaks that never coincide.
    peakMemoryBytes: json.peakTreeRssBytes,
    ...(nothingFixed
      ? { note: `nothing fixed: every batch carried over${reasons ? ` (${reasons})` : ''}` }
      : {}),
  };
}

/** `reason ×n`, most frequent first, at most three. */
function countsOf(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([v, n]) => (n > 1 ? `${v} ×${n}` : v))
    .join('; ');
}

// ─── webhook-bench.ts --json ───────────────────────────────────────────────────────────────────

export type WebhookJson = {
  options: { rate: number; durationS: number; connections: number };
  sent: number;
  sentRate: number;
  latencyMs: { count: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  unanswered: number;
  gatewayPeakRssBytes: number;
  verdict: { state: 'met' | 'MISSED' | 'not judged'; reasons: string[] };
};

export function webhookRows(json: WebhookJson): Row {
  const l = json.latencyMs;
  const o = json.options;
  return {
    measure: `webhook latency p50 / p90 / p99 / max, ${o.rate}/s asked for ${o.durationS} s`,
    value: `${ms(l.p50)} / ${ms(l.p90)} / ${ms(l.p99)} / ${ms(l.max)} ms (${json.sentRate.toFixed(1)}/s sent, ${json.errors} errors)`,
    peakMemoryBytes: json.gatewayPeakRssBytes,
    goal: 'webhook',
    verdict: json.verdict.state,
    ...(json.verdict.reasons.length > 0 ? { note: json.verdict.reasons.join('; ') } : {}),
  };
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

// ─── Formatting ────────────────────────────────────────────────────────────────────────────────

function memory(bytes: number | undefined): { peakMemoryBytes?: number } {
  return bytes === undefined ? {} : { peakMemoryBytes: bytes };
}

export function seconds(msValue: number): string {
  return `${(msValue / 1000).toFixed(2)} s`;
}

function ms(value: number): string {
  return value.toFixed(1);
}

function times(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

function megabytes(bytes: number): string {
  return Math.round(bytes / MB).toLocaleString('en-US');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/** Table cells hold one line and no unescaped pipe. */
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}
