/** Rows, ratios and the targets of docs/anchors.md, rendered as markdown; pure functions only. */
import os from 'node:os';
import type { CorpusStats } from './corpora.ts';
import type { ProcessMeasurement } from './measure.ts';
import type { Outcome } from './tools.ts';

/** One measured run of one tool. */
export type RunRecord = {
  ok: boolean;
  error?: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  wallMs: number;
  peakTreeRssBytes: number;
  sumPeakHwmBytes: number;
  cpuMs: number;
  processesSeen: number;
  samples: number;
  findings?: number;
  details?: Record<string, unknown>;
};

/** One line of a corpus table. Rows other than the three tools (a warm push scan) use the same shape. */
export type ToolRow = {
  id: string;
  label: string;
  ok: boolean;
  error?: string;
  /** Median over the successful runs. */
  wallMs?: number;
  /** Largest over the successful runs. */
  peakTreeRssBytes?: number;
  sumPeakHwmBytes?: number;
  /** Median over the successful runs. */
  cpuMs?: number;
  findings?: number;
  details?: Record<string, unknown>;
  runs: RunRecord[];
};

export type CorpusResult = {
  name: string;
  version: string;
  repo?: string;
  stats?: CorpusStats;
  /** Set when the corpus could not be prepared; no tool ran on it. */
  error?: string;
  rows: ToolRow[];
  ratios: Ratios;
  targets?: Target[];
};

export type Ratios = { selfreviewOverTsc?: number; eslintOverSelfreview?: number };
export type Target = { name: string; value?: number; unit: string; limit: string; holds?: boolean };

const MB = 1024 * 1024;

export function runRecord(measurement: ProcessMeasurement, outcome: Outcome): RunRecord {
  return {
    ok: outcome.ok,
    ...(outcome.ok ? { findings: outcome.findings } : { error: outcome.error }),
    ...(outcome.details ? { details: outcome.details } : {}),
    exitCode: measurement.exitCode,
    signal: measurement.signal,
    timedOut: measurement.timedOut,
    wallMs: measurement.wallMs,
    peakTreeRssBytes: measurement.peakTreeRssBytes,
    sumPeakHwmBytes: measurement.sumPeakHwmBytes,
    cpuMs: measurement.cpuMs,
    processesSeen: measurement.processesSeen,
    samples: measurement.samples,
  };
}

/** A row from its runs: failed if any run failed; times are the median of the successful runs. */
export function summarizeRuns(id: string, label: string, runs: RunRecord[]): ToolRow {
  const good = runs.filter((r) => r.ok);
  const failed = runs.find((r) => !r.ok);
  const last = good.at(-1);
  return {
    id,
    label,
    ok: failed === undefined && good.length > 0,
    ...(failed?.error !== undefined ? { error: failed.error } : {}),
    ...(good.length > 0
      ? {
          wallMs: median(good.map((r) => r.wallMs)),
          peakTreeRssBytes: Math.max(...good.map((r) => r.peakTreeRssBytes)),
          sumPeakHwmBytes: Math.max(...good.map((r) => r.sumPeakHwmBytes)),
          cpuMs: median(good.map((r) => r.cpuMs)),
        }
      : {}),
    ...(last?.findings !== undefined ? { findings: last.findings } : {}),
    ...(last?.details !== undefined ? { details: last.details } : {}),
    runs,
  };
}

export function failedRow(id: string, label: string, error: string): ToolRow {
  return { id, label, ok: false, error, runs: [] };
}

export function ratios(rows: ToolRow[]): Ratios {
  const tsc = timeOf(rows, 'tsc');
  const eslint = timeOf(rows, 'eslint');
  const scan = timeOf(rows, 'selfreview');
  return {
    ...(scan !== undefined && tsc !== undefined ? { selfreviewOverTsc: scan / tsc } : {}),
    ...(eslint !== undefined && scan !== undefined ? { eslintOverSelfreview: eslint / scan } : {}),
  };
}

/**
 * The targets of docs/anchors.md, defined on effect: a full scan takes at most 1.5 times the native
 * compiler's time, at least 2 times less than ESLint's, and at most 2 GB (the larger of the
 * sampled tree RSS and the summed VmHWM, so the check errs against selfreview).
 */
export function targets(rows: ToolRow[], r: Ratios): Target[] {
  const scan = rows.find((row) => row.id === 'selfreview' && row.ok);
  const memory =
    scan?.peakTreeRssBytes !== undefined
      ? Math.max(scan.peakTreeRssBytes, scan.sumPeakHwmBytes ?? 0) / MB
      : undefined;
  return [
    target('full scan time ÷ tsc time', r.selfreviewOverTsc, '×', '≤ 1.5', (v) => v <= 1.5),
    target('ESLint time ÷ full scan time', r.eslintOverSelfreview, '×', '≥ 2', (v) => v >= 2),
    target('full scan peak memory', memory, 'MB', '≤ 2048 MB (2 GB)', (v) => v <= 2048),
    target(
      'push scan of one changed file, warm worker (median)',
      rows.find((row) => row.id === 'warm-push' && row.ok)?.wallMs,
      'ms',
      '≤ 300 ms',
      (v) => v <= 300,
    ),
  ];
}

function target(
  name: string,
  value: number | undefined,
  unit: string,
  limit: string,
  holds: (v: number) => boolean,
): Target {
  return value === undefined ? { name, unit, limit } : { name, value, unit, limit, holds: holds(value) };
}

export function renderCorpus(result: CorpusResult, runs: number): string {
  const title = `## ${result.name}@${result.version}`;
  if (result.error !== undefined) return `${title}\n\nCorpus not prepared: ${oneLine(result.error)}\n`;
  const lines = [title, ''];
  if (result.stats) {
    const s = result.stats;
    lines.push(
      `${s.tsFiles} TypeScript files (${s.declarationFiles} .d.ts besides), ${s.lines.toLocaleString('en-US')} lines`,
      '',
    );
  }
  const tsc = timeOf(result.rows, 'tsc');
  const timeHeader = runs > 1 ? `wall (s, median of ${runs})` : 'wall (s)';
  lines.push(
    `| tool | ${timeHeader} | CPU (s) | peak RSS, tree (MB) | Σ VmHWM (MB) | findings | time ÷ tsc |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of result.rows) {
    if (!row.ok && row.wallMs === undefined) {
      const ran = row.runs.find((r) => r.wallMs > 0);
      const after = ran ? ` after ${seconds(ran.wallMs)} s, ${megabytes(ran.peakTreeRssBytes)} MB` : '';
      lines.push(`| ${row.label} | failed${after}: ${cell(row.error ?? 'unknown error')} | | | | | |`);
      continue;
    }
    const partial = row.ok ? '' : ` (some runs failed: ${cell(row.error ?? '')})`;
    lines.push(
      `| ${row.label}${partial} | ${seconds(row.wallMs)} | ${seconds(row.cpuMs)} | ${megabytes(row.peakTreeRssBytes)} | ${megabytes(row.sumPeakHwmBytes)} | ${row.findings ?? ''} | ${ratio(row.wallMs, tsc)} |`,
    );
  }
  lines.push('');
  for (const row of result.rows) {
    const breakdown = row.details?.byCode ?? row.details?.byRule;
    if (breakdown !== undefined && typeof breakdown === 'object') {
      lines.push(`- ${row.label} findings: ${countsText(breakdown as Record<string, number>)}`);
    }
  }
  lines.push(
    `- selfreview time ÷ tsc time: ${times(result.ratios.selfreviewOverTsc)}`,
    `- ESLint time ÷ selfreview time: ${times(result.ratios.eslintOverSelfreview)}`,
  );
  if (result.targets) {
    lines.push('', 'Targets (docs/anchors.md, on effect):', '');
    for (const t of result.targets) {
      const verdict = t.holds === undefined ? 'n/a' : t.holds ? 'holds' : 'MISSED';
      const value = t.value === undefined ? 'n/a' : `${t.value.toFixed(2)} ${t.unit}`;
      lines.push(`- ${t.name}: ${value} (target ${t.limit}): **${verdict}**`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export type MachineFacts = {
  cpus: number;
  cpuModel: string;
  totalMemoryMB: number;
  node: string;
  platform: string;
  loadAverage: number[];
  /** Share of CPU time idle during one second before the first tool ran. */
  idleAtStart: number;
  date: string;
};

export function machineFacts(now: Date, idleAtStart: number): MachineFacts {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMB: Math.round(os.totalmem() / MB),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    idleAtStart: Math.round(idleAtStart * 1000) / 1000,
    date: now.toISOString(),
  };
}

export function renderMachine(m: MachineFacts): string {
  return [
    '## Machine',
    '',
    `- CPUs: ${m.cpus} × ${m.cpuModel}`,
    `- memory: ${m.totalMemoryMB.toLocaleString('en-US')} MB`,
    `- Node ${m.node}, ${m.platform}`,
    `- CPU idle during the second before the start: ${Math.round(m.idleAtStart * 100)}%${busy(m) ? ' (other work is running: times will be longer than on an idle machine)' : ''}; load average ${m.loadAverage.join(', ')}`,
    `- date: ${m.date}`,
    '',
  ].join('\n');
}

function busy(m: MachineFacts): boolean {
  return m.idleAtStart < 0.9;
}

function timeOf(rows: ToolRow[], id: string): number | undefined {
  const row = rows.find((r) => r.id === id);
  return row?.ok ? row.wallMs : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : (ms / 1000).toFixed(2);
}

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? '' : Math.round(bytes / MB).toLocaleString('en-US');
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '' : `${(a / b).toFixed(2)}×`;
}

function times(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${value.toFixed(2)}×`;
}

/** Largest first, at most ten kinds. */
function countsText(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const shown = entries.slice(0, 10).map(([kind, n]) => `${kind} ${n}`);
  if (entries.length > 10) shown.push(`${entries.length - 10} more kinds`);
  return shown.join(', ');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Table cells hold one line, no pipes, and a bounded length. */
function cell(text: string): string {
  const flat = oneLine(text).replace(/\|/g, '/');
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
