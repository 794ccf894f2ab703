/** Text the CLI shows: pure functions of the run's state, tested on exact output. */
import type { RunProgress } from '@selfreview/shared/coordinator';
import type { RunReport } from '@selfreview/shared/schemas';
import type { RunBranch } from './run-branches.ts';

export function renderProgress(
  p: RunProgress,
  totals: { applyJobs: number | null; fixBatches: number | null },
): string {
  const scan = p.open.scan > 0 ? 'scan …' : `scan ✓ ${p.files} files, ${p.candidates} candidates`;
  const apply =
    totals.applyJobs === null
      ? 'apply -'
      : `apply ${totals.applyJobs - p.open.apply}/${totals.applyJobs} jobs${p.open.apply === 0 ? ' ✓' : ''}`;
  const fix =
    totals.fixBatches === null
      ? 'fix -'
      : `fix ${totals.fixBatches - p.open.fix}/${totals.fixBatches} batches${p.open.fix === 0 ? ' ✓' : ''}`;
  // Shown only while it lasts: most runs publish nothing, or in a moment.
  const publish =
    p.open.publish > 0 ? ` · publishing ${p.open.publish} branch${p.open.publish === 1 ? '' : 'es'} …` : '';
  return `${scan} · ${apply} · ${fix}${publish}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd());
}

export function renderSummary(
  report: RunReport,
  opts: {
    reportFile: string | null;
    llm: boolean;
    /** Fix branches found in the repository, when the run's own record of them was lost. */
    runBranches?: readonly RunBranch[];
  },
): string {
  const { scan, apply, fix } = report.stages;
  const out: string[] = [];
  out.push(
    `selfreview run ${report.runId}: ${report.repo.path} (${report.repo.baseBranch} @ ${report.repo.baseSha.slice(0, 7)})`,
  );
  out.push('');
  out.push(
    ...table([
      ['stage', 'result', 'time'],
      ['scan', `${scan.files} files, ${scan.candidates} candidates`, seconds(scan.durationMs)],
      ['apply', `${apply.fix} fix, ${apply.drop} drop, ${apply.defer} defer`, seconds(apply.durationMs)],
      [
        'fix',
        `${fix.batches} batches: ${fix.committed} committed, ${fix.failed} failed, ${fix.carriedOver} carried over`,
        seconds(fix.durationMs),
      ],
    ]),
  );
  const verified = verificationSummary(report.fixes);
  if (verified.length > 0) out.push('', ...verified);
  if (report.fixes.length > 0) {
    out.push('', 'Fixes:');
    out.push(
      ...table(
        report.fixes.map((f) => [
          f.status,
          f.file,
          `lines ${f.lines_affected.join(',') || '-'}`,
          f.status === 'committed' ? `${f.branch} ${f.commit?.slice(0, 7)}` : f.reason,
        ]),
      ),
    );
  }
  if (report.pullRequests.length > 0) {
    out.push('', 'Pull requests:');
    out.push(
      ...table(report.pullRequests.map((p) => [p.status, p.branch, p.url ?? p.reason, p.labels.join(', ')])),
    );
  }
  const reasons = new Map<string, number>();
  for (const d of report.decisions)
    if (d.verdict !== 'fix')
      reasons.set(`${d.verdict} ${d.reason}`, (reasons.get(`${d.verdict} ${d.reason}`) ?? 0) + 1);
  if (reasons.size > 0) {
    out.push('', 'Not fixed:');
    out.push(...table([...reasons].sort().map(([r, n]) => [String(n), r])));
  }
  if (report.errors && report.errors.length > 0) {
    out.push('', 'Errors (the run is incomplete):');
    for (const e of report.errors) out.push(`  ${e}`);
  }
  if (report.warnings.length > 0) {
    out.push('', 'Warnings:');
    for (const w of report.warnings) out.push(`  ${w}`);
  }
  // Listed among the warnings already; here they only join the review and undo lines.
  const found = opts.runBranches ?? [];
  out.push('');
  if (!opts.llm)
    out.push('Model: off, deterministic fixers only (changes that need the model wait as needs_llm).');
  else if (report.model.calls > 0)
    out.push(
      `Model: ${report.model.calls} call${report.model.calls === 1 ? '' : 's'}, ${report.model.inputTokens} input + ${report.model.outputTokens} output tokens, about $${report.model.estimatedCostUsd.toFixed(4)}.`,
    );
  const committed = report.fixes.filter((f) => f.status === 'committed' && f.branch);
  const branches = [...new Set([...committed.map((f) => f.branch), ...found.map((b) => b.branch)])];
  if (branches.length > 0) {
    for (const branch of branches) {
      out.push(`Review: git -C ${report.repo.path} log -p ${report.repo.baseSha.slice(0, 7)}..${branch}`);
    }
    // rollback deletes an unmerged branch and reverts a merged one on a branch of its own.
    for (const branch of branches) out.push(`Undo: selfreview rollback ${branch} --repo ${report.repo.path}`);
  }
  if (opts.reportFile) out.push(`Report: ${opts.reportFile}`);
  return `${out.join('\n')}\n`;
}

/**
 * How the committed fixes were verified and why the others were not committed, in plain words:
 * a fix committed without its tests (they fail at the base commit too) must not pass for a
 * tested one.
 */
export function verificationSummary(fixes: RunReport['fixes']): string[] {
  const committed = fixes.filter((f) => f.status === 'committed');
  const lines: string[] = [];
  if (committed.length > 0) {
    const by = (t: string) => committed.filter((f) => f.verification.tests === t).length;
    const parts = [
      [by('pass'), 'with their tests passing'],
      [by('unavailable'), 'without tests (they fail at the base commit too; labelled for review)'],
      [by('skipped'), 'with no test command to run'],
    ]
      .filter(([n]) => (n as number) > 0)
      .map(([n, what]) => `${n} ${what}`);
    const noTypecheck = committed.filter((f) => f.verification.typecheck === 'unavailable').length;
    lines.push(
      `Committed: ${parts.join(', ')}${noTypecheck > 0 ? `; ${noTypecheck} without a typecheck (it cannot run at the base commit)` : ''}.`,
    );
  }
  const failed = fixes.filter((f) => f.status === 'failed');
  if (failed.length > 0) {
    const kinds = new Map<string, number>();
    for (const f of failed) {
      const kind = /^(typecheck|tests|gate \w+|new test failures)/.exec(f.reason)?.[1] ?? 'other';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    lines.push(`Failed: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}.`);
  }
  const followUps = fixes.filter(
    (f) => f.status === 'carried_over' && f.reason.startsWith('needs_followup'),
  ).length;
  if (followUps > 0)
    lines.push(
      `Needs follow-up: ${followUps} (the fix leaves a name unused that this batch does not remove).`,
    );
  return lines;
}
