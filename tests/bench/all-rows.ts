/** The rows each benchmark's `--json` becomes in `pnpm bench`'s table, judged against issue 16's goals. */

import { MB, megabytes, ms, percent, seconds, times } from './all-format.ts';
import { failedRow, type GoalId, judged, type Row } from './all-table.ts';

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

function memory(bytes: number | undefined): { peakMemoryBytes?: number } {
  return bytes === undefined ? {} : { peakMemoryBytes: bytes };
}

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
