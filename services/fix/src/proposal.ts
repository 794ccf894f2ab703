/**
 * What a pull/merge request says: pure, so title, body and labels are tested on exact text.
 * The reviewer reads the findings, how they were verified, what changed per file and how to
 * undo it; the label says whether selfreview would trust it without a close look.
 */
import { modelTaskOf } from '@selfreview/checks';
import type { FixItem, FixResult } from '@selfreview/shared/schemas';
import { describeChanges } from './branch.ts';

export const LABEL_AUTO_MERGEABLE = 'selfreview:auto-mergeable';
export const LABEL_NEEDS_REVIEW = 'selfreview:needs-review';
/** Below this, or without passing tests, a person has to look closely. */
export const AUTO_MERGEABLE_CONFIDENCE = 0.9;

export type ProposalFacts = {
  batchId: string;
  branch: string;
  baseBranch: string;
  baseSha: string;
  /** The batch's committed fix_results (failed and carried over ones are not in the branch). */
  committed: readonly FixResult[];
  /** The batch's items, for the findings' messages and lines. */
  items: readonly FixItem[];
};

/**
 * `auto-mergeable` only when typecheck and tests both passed, every fix is confident enough,
 * and no fix is the model's. A model change is always `needs-review`, whatever its confidence:
 * the confidence of a TODO can be raised by the model's own second opinion, and the model can
 * be steered by the repository text it reads, so a person reads every change it makes.
 */
export function proposalLabels(committed: readonly FixResult[]): string[] {
  const trusted =
    committed.length > 0 &&
    committed.every(
      (r) =>
        !modelTaskOf(r.change_type) &&
        r.verification.typecheck === 'pass' &&
        r.verification.tests === 'pass' &&
        r.confidence >= AUTO_MERGEABLE_CONFIDENCE,
    );
  return [trusted ? LABEL_AUTO_MERGEABLE : LABEL_NEEDS_REVIEW];
}

export function proposalTitle(committed: readonly FixResult[]): string {
  const what = describeChanges(committed.map((r) => r.change_type));
  const files = new Set(committed.map((r) => r.file)).size;
  return `selfreview: ${what} in ${files} file${files === 1 ? '' : 's'}`;
}

/** How a committed result's reason says why its tests did not run. */
export const TESTS_NOT_RUN = 'tests not run: ';

function whyTestsSkipped(results: readonly FixResult[]): string {
  for (const r of results) {
    const at = r.reason.indexOf(TESTS_NOT_RUN);
    if (at >= 0) return r.reason.slice(at + TESTS_NOT_RUN.length).split(';')[0] as string;
  }
  return 'the repository has no test command';
}

export function proposalBody(facts: ProposalFacts): string {
  const files = new Set(facts.committed.map((r) => r.file));
  const ids = new Set(facts.committed.flatMap((r) => r.candidateIds));
  const findings = facts.items
    .filter((i) => files.has(i.candidate.file) && ids.has(i.candidate.id))
    .sort((a, b) =>
      a.candidate.file === b.candidate.file
        ? a.candidate.line - b.candidate.line
        : a.candidate.file < b.candidate.file
          ? -1
          : 1,
    );
  const results = [...facts.committed].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const outcome = (check: 'typecheck' | 'tests') => {
    const all = new Set(results.map((r) => r.verification[check]));
    return all.size === 1 ? [...all][0] : [...all].sort().join(' / ');
  };
  const short = facts.baseSha.slice(0, 7);
  const lines = [
    `selfreview fixed ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'}, verified the change, and leaves the merge to you: it never merges.`,
    '',
    '### Findings',
    ...findings.map(
      (i) =>
        `- \`${i.candidate.file}\` line ${i.candidate.line}: ${oneLine(i.candidate.message)} (${i.candidate.rule}, confidence ${i.confidence.toFixed(2)})`,
    ),
    '',
    '### Verification',
    `- Typecheck: ${outcome('typecheck')} (no new diagnostics compared with ${facts.baseBranch} @ ${short})`,
    `- Tests: ${outcome('tests')}${outcome('tests') === 'skipped' ? ` (${whyTestsSkipped(results)})` : ''}`,
    '- Hard gates: passed (only these files, no test removed or weakened, no secret, no protected path, manifest, lockfile or CI file)',
    '',
    '### Fix results',
    '| file | change | lines | confidence | status |',
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| \`${r.file}\` | ${r.change_type} | ${r.lines_affected.join(', ') || '-'} | ${r.confidence.toFixed(2)} | ${r.status} |`,
    ),
    '',
    '### Undo',
    `- Before merging: close this request and run \`selfreview rollback ${facts.branch}\` to delete the branch.`,
    `- After merging: \`selfreview rollback ${facts.branch}\` reverts the commit on a new branch; history is never rewritten.`,
    `- Rollback ref (the base before the fix): \`${facts.baseSha}\``,
    '',
    `<!-- selfreview-batch: ${facts.batchId} -->`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Messages become list items and table cells: no line breaks, no table-breaking pipes. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}
