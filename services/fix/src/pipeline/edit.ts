/**
 * Step 3, edit: the model's works first (edit-model.ts), each verified on its own with one
 * repair round, so a failed one fails only its item; then the codemods, pure text in and out.
 * The whole batch is verified together afterwards.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Worktree } from '@selfreview/shared/workspace';
import { getCodemod } from '../codemods/index.ts';
import { isStopped, type Stopped, stopped } from './attempt.ts';
import type { ModelDeps } from './deps.ts';
import { editWithModel } from './edit-model.ts';
import { failed, isPending, type PendingWork, replaced, type Work } from './work.ts';
import type { BatchInWorktree } from './worktree.ts';

export async function editBatch(
  batch: BatchInWorktree,
  model: ModelDeps | undefined,
  planned: Work[],
): Promise<Work[] | Stopped> {
  const modelled = model ? await editWithModel(batch, model, planned) : planned;
  if (isStopped(modelled)) return modelled;
  let work = modelled;
  for (const w of modelled) {
    if (w.status !== 'pending' || w.via !== 'codemod') continue;
    if (batch.deadline.signal.aborted) break;
    work = replaced(work, w, await applyCodemods(batch.wt, w));
  }
  return work.some(isPending) ? work : stopped({ kind: 'nothing_to_commit' }, work, [...batch.notes]);
}

async function applyCodemods(wt: Worktree, w: PendingWork): Promise<Work> {
  const abs = path.join(wt.dir, w.file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch {
    return failed(w, 'file no longer exists at the base commit');
  }
  const lines = new Set<number>();
  const summary = [...w.summary];
  for (const changeType of new Set(w.items.map((i) => i.changeType))) {
    const codemod = getCodemod(changeType);
    const items = w.items.filter((i) => i.changeType === changeType);
    if (!codemod) return failed(w, `no codemod for ${changeType}`);
    const result = codemod.apply({ file: w.file, text, items });
    text = result.text;
    for (const l of result.linesAffected) lines.add(l);
    for (const id of result.applied) {
      const item = items.find((i) => i.candidate.id === id);
      if (item) summary.push(item.candidate.message);
    }
    for (const s of result.skipped) summary.push(`skipped ${s.candidateId}: ${s.reason}`);
  }
  if (lines.size === 0) return failed(w, `nothing to change: ${summary.join('; ') || 'no applicable fix'}`);
  await writeFile(abs, text);
  return {
    ...w,
    lines: [...lines].sort((a, b) => a - b),
    summary: summary.filter((s) => !s.startsWith('skipped ')),
  };
}
