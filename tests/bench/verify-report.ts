/** verify-bench's result: the markdown on stdout, and the `--json` file `pnpm bench` turns into its row. */
import os from 'node:os';
import path from 'node:path';
import { describe, median, seconds, type Timing } from './verify-timing.ts';

/** The goal: incremental at most this share of full. */
const GOAL = 0.25;

export type VerifyResult = {
  repo: string;
  project: string;
  tsVersion: string;
  sandbox: string;
  edit: { file: string; what: string; synthetic: boolean };
  base: Timing;
  full: Timing[];
  incremental: Timing[];
  kinds: string[];
  sameVerdict: boolean;
};

function medians(r: VerifyResult) {
  return {
    fullWallMs: median(r.full.map((t) => t.wallMs)),
    fullCpuMs: median(r.full.map((t) => t.cpuMs)),
    incrementalWallMs: median(r.incremental.map((t) => t.wallMs)),
    incrementalCpuMs: median(r.incremental.map((t) => t.cpuMs)),
  };
}

/** Incremental ÷ full, of the medians. */
function ratios(r: VerifyResult): { wall: number; cpu: number } {
  const m = medians(r);
  return { wall: m.incrementalWallMs / m.fullWallMs, cpu: m.incrementalCpuMs / m.fullCpuMs };
}

export function renderReport(r: VerifyResult): string {
  const { base, full, incremental, edit } = r;
  const m = medians(r);
  const { wall, cpu } = ratios(r);
  const load = os.loadavg().map((l) => l.toFixed(1));
  const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;
  const met = (ratio: number) => (ratio <= GOAL ? '(≤ 25%: met)' : '(≤ 25%: MISSED)');
  return [
    `Fix verification, ${new Date().toISOString().slice(0, 10)}: ${os.availableParallelism()} vCPU, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.versions.node}, sandbox ${r.sandbox}, load average ${load.join(' ')}`,
    '',
    `${path.basename(r.repo)}, ${r.project}, TypeScript ${r.tsVersion}; edit: ${edit.file}: ${edit.what}${edit.synthetic ? ' (added to the base first)' : ''}`,
    '',
    '| | wall (median) | CPU (median) |',
    '|---|---|---|',
    `| base run, once per commit (seed + full check + build info) | ${seconds(base.wallMs)} | ${seconds(base.cpuMs)} |`,
    `| full check after the edit | ${seconds(m.fullWallMs)} | ${seconds(m.fullCpuMs)} |`,
    `| incremental check after the edit | ${seconds(m.incrementalWallMs)} | ${seconds(m.incrementalCpuMs)} |`,
    `| incremental / full | ${pct(wall)} ${met(wall)} | ${pct(cpu)} ${met(cpu)} |`,
    '',
    `runs (wall / CPU): full ${full.map(describe).join(', ')}; incremental ${incremental.map(describe).join(', ')} (${r.kinds.join(', ')}); same verdict as the full check: ${r.sameVerdict ? 'yes' : 'NO'}`,
    '',
  ].join('\n');
}

/** What `--json` writes; ./all-rows.ts's VerifyJson reads it. */
export function reportJson(r: VerifyResult): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    repo: r.repo,
    project: r.project,
    typescript: r.tsVersion,
    sandbox: r.sandbox,
    edit: { file: r.edit.file, what: r.edit.what, synthetic: r.edit.synthetic },
    base: r.base,
    full: r.full,
    incremental: r.incremental,
    kinds: r.kinds,
    medians: medians(r),
    peakRssBytes: Math.max(
      r.base.peakRssBytes,
      ...r.full.map((t) => t.peakRssBytes),
      ...r.incremental.map((t) => t.peakRssBytes),
    ),
    ratio: ratios(r),
    goal: GOAL,
    sameVerdict: r.sameVerdict,
    loadAverage: os.loadavg(),
  };
}
