/** The evaluation as a person reads it: one summary table, then what to look at. */
import type { Evaluation } from './harness.ts';

function pct(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(0)}%`;
}

function num(x: number | null, digits = 0): string {
  return x === null ? '-' : x.toFixed(digits);
}

export function renderEvaluation(e: Evaluation): string {
  const s = e.score;
  const p = s.pipeline;
  const failed =
    p.failed === null
      ? '-'
      : `${p.failed}${p.topFailureReasons.length > 0 ? ` (${p.topFailureReasons.map((r) => `${r.reason} ${r.count}`).join(', ')})` : ''}`;
  const rows: [string, string][] = [
    ['repository', e.repository],
    [
      'injected',
      `${s.injected} in ${new Set(e.manifest.map((m) => m.file)).size} files (seed ${e.seed}; ${e.dropped.length} dropped by the typecheck)`,
    ],
    ['removed (recall)', `${s.removed} (${pct(s.recall)})`],
    ['candidates', num(p.candidates)],
    ['fix verdicts', num(p.fixVerdicts)],
    ['batches', num(p.batches)],
    ['committed', num(p.committed)],
    ['failed', failed],
    ['carried over', num(p.carriedOver)],
    ['broken branches', `${s.brokenBranches.length} of ${s.branches.length}`],
    [
      'malformed branches',
      `${s.malformedBranches.length} (not one commit on the base, or more than 2 files)`,
    ],
    ['base untouched', s.baseUntouched ? 'yes' : `NO: ${s.baseProblems.join('; ')}`],
    ['run minutes', num(p.runMinutes, 1)],
    ['minutes per batch', num(p.minutesPerBatch, 2)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  let out = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
  out += '\n';
  const missed = s.injections.filter((i) => i.removedOn === null);
  if (missed.length > 0) {
    out += `\nNot removed (${missed.length}):\n`;
    for (const m of missed) out += `  ${m.file}:${m.line}  ${m.kind}  ${m.name}\n`;
  }
  const broken = s.branches.filter((b) => b.broken.length > 0);
  if (broken.length > 0) {
    out += '\nBroken branches:\n';
    for (const b of broken) out += `  ${b.branch}  ${b.broken.join('; ')}\n`;
  }
  if (s.realFindings.length > 0) {
    out += `\nBranches with changes beyond the injected problems (real findings, review them in ${e.copy}):\n`;
    for (const f of s.realFindings) out += `  ${f.branch}\n${f.diffStat.replace(/^/gm, '      ')}\n`;
  }
  if (e.warnings.length > 0) out += `\nWarnings:\n${e.warnings.map((w) => `  ${w}\n`).join('')}`;
  return out;
}
