/** Grouping fix items into batches: pure, so the rule "at most N files" is tested on its own. */
import type { FixItem } from './schemas.ts';

export type PlannedBatch = { index: number; files: { file: string; items: FixItem[] }[] };

/**
 * Files in path order, `maxFiles` per batch. Deterministic, so a hand-over that
 * runs twice (after a crash) produces the same batch ids and BullMQ dedupes them.
 */
export function planBatches(fixable: ReadonlyMap<string, FixItem[]>, maxFiles: number): PlannedBatch[] {
  if (!Number.isInteger(maxFiles) || maxFiles < 1)
    throw new RangeError(`maxFiles must be a positive integer, got ${maxFiles}`);
  const files = [...fixable.entries()]
    .filter(([, items]) => items.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const batches: PlannedBatch[] = [];
  for (let i = 0; i < files.length; i += maxFiles) {
    batches.push({
      index: batches.length,
      files: files.slice(i, i + maxFiles).map(([file, items]) => ({ file, items })),
    });
  }
  return batches;
}
