/**
 * A batch's unit of work: one file's items for one fixer, and what became of it. Steps never
 * change a work in place: each returns the batch's list with the works it settled replaced,
 * so what a step did is its return value.
 */
import type { FixJob } from '@selfreview/shared/queues';
import type { FixItem, FixResult } from '@selfreview/shared/schemas';

/** Who changes a file: a codemod, or the model (one change type per model work). */
export type Fixer = 'codemod' | 'model';

/** A work's items: at least one (a batch's file has some, and plan makes no work of none). */
export type WorkItems = [FixItem, ...FixItem[]];

type Planned = { file: string; items: WorkItems; via: Fixer };

/** Still on its way to the commit; `lines` and `summary` say what its fixer changed so far. */
export type PendingWork = Planned & {
  status: 'pending';
  lines: number[];
  summary: string[];
  /** For add_missing_test: the new test file the model wrote. */
  createdFile?: string;
};
export type FailedWork = Planned & { status: 'failed'; lines: number[]; reason: string };
export type CarriedWork = Planned & {
  status: 'carried_over';
  reason: string;
  /** Carried over for want of time or room: a follow-up batch takes it (items with no fixer only wait). */
  continues: boolean;
};
export type CommittedWork = Planned & { status: 'committed'; lines: number[]; reason: string };

export type Work = PendingWork | FailedWork | CarriedWork | CommittedWork;

export type Verification = FixResult['verification'];
export const NOT_VERIFIED: Verification = { typecheck: 'skipped', tests: 'skipped' };

export const isPending = (w: Work): w is PendingWork => w.status === 'pending';
export const isCarried = (w: Work): w is CarriedWork => w.status === 'carried_over';

/** `items` when there is at least one. */
export function hasItems(items: FixItem[]): items is WorkItems {
  return items.length > 0;
}

export function pending(file: string, items: WorkItems, via: Fixer): PendingWork {
  return { file, items, via, status: 'pending', lines: [], summary: [] };
}

export function failed(w: PendingWork, reason: string): FailedWork {
  return { file: w.file, items: w.items, via: w.via, status: 'failed', lines: w.lines, reason };
}

export function carriedOver(w: Planned, reason: string, continues: boolean): CarriedWork {
  return { file: w.file, items: w.items, via: w.via, status: 'carried_over', reason, continues };
}

export function committed(w: PendingWork, reason: string): CommittedWork {
  return { file: w.file, items: w.items, via: w.via, status: 'committed', lines: w.lines, reason };
}

/** `work` with `from` replaced by `to` (the same object, so the order of the batch stays). */
export function replaced(work: readonly Work[], from: Work, to: Work): Work[] {
  return work.map((w) => (w === from ? to : w));
}

/** The test files the model wrote for the batch's works so far. */
export function createdFiles(work: readonly Work[]): string[] {
  return work.flatMap((w) => (w.status === 'pending' && w.createdFile ? [w.createdFile] : []));
}

/** The fields of a fix_result that follow from the batch and its items; the outcome is the caller's. */
export function toResult(
  data: FixJob,
  w: Work,
  outcome: Pick<FixResult, 'lines_affected' | 'branch' | 'commit' | 'status' | 'verification' | 'reason'>,
): FixResult {
  return {
    batchId: data.batchId,
    file: w.file,
    change_type: w.items[0].changeType,
    confidence: Math.min(...w.items.map((i) => i.confidence)),
    rollback_ref: data.baseSha,
    candidateIds: w.items.map((i) => i.candidate.id),
    ...outcome,
  };
}
