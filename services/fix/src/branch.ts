/** Names and messages of fix commits: pure, so their shape is tested on exact text. */
import { createHash } from 'node:crypto';
import { checkOfChangeType } from '@selfreview/checks';
import type { ChangeType } from '@selfreview/shared/schemas';

/** The fix (its words) when every change is of one type; undefined for a mix. */
function onlyFix(changeTypes: readonly ChangeType[]) {
  const kinds = [...new Set(changeTypes)];
  return kinds.length === 1 && kinds[0] ? checkOfChangeType(kinds[0])?.fix : undefined;
}

/** What a commit or pull request changes, in a few words: the kind when there is one, else "code health fixes". */
export function describeChanges(changeTypes: readonly ChangeType[]): string {
  return onlyFix(changeTypes)?.subject ?? 'code health fixes';
}

export function branchName(batchId: string, changeTypes: readonly ChangeType[]): string {
  const desc = onlyFix(changeTypes)?.branch ?? 'code-health';
  const id = createHash('sha256').update(batchId).digest('hex').slice(0, 10);
  return `selfreview/${desc}-${id}`;
}

export const TRAILER_BATCH = 'Selfreview-Batch';
export const TRAILER_ROLLBACK = 'Rollback-Ref';

export type CommittedFile = { file: string; summary: string[]; lines: number[] };

export function commitMessage(opts: {
  batchId: string;
  runId: string;
  baseSha: string;
  files: readonly CommittedFile[];
  typecheck: string;
  tests: string;
  /** What the commit changes; the subject names it when there is one kind. */
  changeTypes: readonly ChangeType[];
}): string {
  const n = opts.files.length;
  const what = describeChanges(opts.changeTypes);
  const lines = [
    `selfreview: ${what} in ${n} file${n === 1 ? '' : 's'}`,
    '',
    ...opts.files.flatMap((f) => [
      `${f.file} (lines ${f.lines.join(', ')}):`,
      ...f.summary.map((s) => `  - ${s}`),
    ]),
    '',
    `Verified: typecheck ${opts.typecheck}; tests ${opts.tests}.`,
    `To undo: selfreview rollback <this branch or commit> (deletes the branch before merging, reverts after).`,
    '',
    `${TRAILER_BATCH}: ${opts.batchId}`,
    `Selfreview-Run: ${opts.runId}`,
    `${TRAILER_ROLLBACK}: ${opts.baseSha}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function hasBatchTrailer(message: string, batchId: string): boolean {
  return message.split('\n').some((l) => l.trim() === `${TRAILER_BATCH}: ${batchId}`);
}
