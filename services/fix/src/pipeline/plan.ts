/**
 * Step 1, plan: which works the batch has and who does each (a codemod, else the model when
 * one is configured), and the branch they will be committed on. Pure.
 */
import type { FixJob } from '@selfreview/shared/queues';
import { type ChangeType, type FixItem, MODEL_CHANGE_TYPES } from '@selfreview/shared/schemas';
import { branchName } from '../branch.ts';
import { getCodemod } from '../codemods/index.ts';
import { carriedOver, type Fixer, hasItems, pending, type Work, type WorkItems } from './work.ts';

export type BatchPlan = {
  /** Named after what the batch will commit. */
  branch: string;
  /** In the job's file order: pending works, and works carried over from the start. */
  work: Work[];
};

export function planBatch(data: FixJob, maxFiles: number, modelConfigured: boolean): BatchPlan {
  const fixer = (t: ChangeType): Fixer | null =>
    getCodemod(t) ? 'codemod' : modelConfigured && MODEL_CHANGE_TYPES.has(t) ? 'model' : null;
  const changeTypes = data.files.flatMap((f) => f.items.map((i) => i.changeType)).filter((t) => fixer(t));
  const work = data.files.flatMap((f, i): Work[] => {
    // The producer already caps batches; a hand-made job with more files carries the rest over.
    const within = i < maxFiles;
    const byModel = f.items.filter((item) => fixer(item.changeType) === 'model');
    const waiting = f.items.filter((item) => fixer(item.changeType) === null);
    const groups: [Fixer, FixItem[]][] = [
      ['codemod', f.items.filter((item) => fixer(item.changeType) === 'codemod')],
      // One model call per change type and file: each has its own instructions.
      ...[...new Set(byModel.map((m) => m.changeType))].map((t): [Fixer, FixItem[]] => [
        'model',
        byModel.filter((m) => m.changeType === t),
      ]),
    ];
    const out = groups
      .filter((group): group is [Fixer, WorkItems] => hasItems(group[1]))
      .map(([via, items]) => {
        const work = pending(f.file, items, via);
        return within ? work : carriedOver(work, `batch limit of ${maxFiles} files`, true);
      });
    // No fixer for these: they stay queued (carried over, not handed on), not failed.
    if (hasItems(waiting))
      out.push(carriedOver(pending(f.file, waiting, 'codemod'), waitingReason(waiting), false));
    return out;
  });
  return { branch: branchName(data.batchId, changeTypes), work };
}

/** Why items wait: the model's change types say so; the others have no codemod yet. */
function waitingReason(items: readonly FixItem[]): string {
  const types = [...new Set(items.map((i) => i.changeType))];
  const forModel = types.filter((t) => MODEL_CHANGE_TYPES.has(t));
  const others = types.filter((t) => !MODEL_CHANGE_TYPES.has(t));
  const parts: string[] = [];
  if (forModel.length > 0) parts.push(`needs_llm: ${forModel.join(', ')} waits for the model fixer`);
  if (others.length > 0) parts.push(`no codemod yet for ${others.join(', ')}`);
  return parts.join('; ');
}
