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
      `${f.file} (${describeLines(f.lines)}):`,
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

/** `line 4`, `lines 4, 14`, `lines 1-13, 20`: runs of consecutive lines as ranges, for a reader. */
export function describeLines(lines: readonly number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    runs.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `${sorted.length === 1 ? 'line' : 'lines'} ${runs.join(', ')}`;
}

export function hasBatchTrailer(message: string, batchId: string): boolean {
  return message.split('\n').some((l) => l.trim() === `${TRAILER_BATCH}: ${batchId}`);
}
