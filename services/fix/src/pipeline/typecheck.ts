/**
 * The typecheck half of step 4, verify: the batch against the base commit. A changed file with
 * new diagnostics is put back and fails, except when every new diagnostic is a name the fix
 * left unused: the same codemods finish those (up to FOLLOW_UP_ROUNDS rounds), or the file
 * waits as `needs_followup`. A new diagnostic in a file the batch did not change means nothing
 * in it can be trusted: the batch stops with that error.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Worktree } from '@selfreview/shared/workspace';
import { getCodemod } from '../codemods/index.ts';
import { followUpItems, UNUSED_CODES } from '../follow-up.ts';
import type { Diagnostic, FileRegression } from '../typecheck-output.ts';
import { untilDeadline } from './deadline.ts';
import { carriedOver, failed, type PendingWork, replaced, type Work } from './work.ts';
import type { BatchInWorktree } from './worktree.ts';

/** Rounds of finishing names a fix left unused, before such a file waits as needs_followup. */
const FOLLOW_UP_ROUNDS = 2;

export type TypecheckedBatch = { work: Work[]; error: string | null };

export async function typecheckBatch(
  { verifier, wt, files, deadline }: BatchInWorktree,
  edited: Work[],
): Promise<TypecheckedBatch> {
  let work = edited;
  for (let round = 0; ; round++) {
    const tc = await untilDeadline(
      deadline,
      () => verifier.typecheck(files),
      () => null,
    );
    if (tc === null) return { work, error: 'batch time limit reached' };
    if (tc.error) return { work, error: tc.error };
    if (tc.regressions.length === 0) return { work, error: null };
    const pendingIn = (file: string) =>
      work.find((w): w is PendingWork => w.file === file && w.status === 'pending');
    const elsewhere = tc.regressions.find((r) => !pendingIn(r.file));
    if (elsewhere) {
      return {
        work,
        error: `new diagnostics in ${elsewhere.file || '(global)'}: ${elsewhere.sample.join('; ')}`,
      };
    }
    if (round > FOLLOW_UP_ROUNDS) return { work, error: `typecheck still worse after ${round} rounds` };
    for (const r of tc.regressions) {
      const w = pendingIn(r.file) as PendingWork;
      work = replaced(work, w, await answerRegression(wt, w, r, round));
    }
  }
}

/** What becomes of a work whose file has new diagnostics in this round. */
async function answerRegression(
  wt: Worktree,
  w: PendingWork,
  r: FileRegression,
  round: number,
): Promise<Work> {
  if (w.via === 'codemod' && r.added.every((d) => UNUSED_CODES.has(d.code))) {
    const finished = round < FOLLOW_UP_ROUNDS ? await finishLeftovers(wt, w, r.added) : '';
    if (typeof finished !== 'string') return finished;
    await wt.restoreFile(w.file);
    return carriedOver(
      w,
      `needs_followup: the fix leaves ${finished || 'names'} unused, which this batch does not remove; it waits for a person or the next scan`,
      false,
    );
  }
  await wt.restoreFile(w.file);
  return failed(w, `typecheck: ${r.added.length} new diagnostic(s): ${r.sample.join('; ')}`);
}

/**
 * Removes names a fix left unused with the same codemods: the work with those lines and
 * messages added when all went, else the names that are left.
 */
async function finishLeftovers(
  wt: Worktree,
  w: PendingWork,
  added: readonly Diagnostic[],
): Promise<PendingWork | string> {
  const abs = path.join(wt.dir, w.file);
  let text = await readFile(abs, 'utf8');
  const follow = followUpItems(w.file, text, added, Math.min(...w.items.map((i) => i.confidence)));
  if (follow.leftovers.length > 0 || follow.items.length === 0) return follow.leftovers.join(', ') || 'names';
  const lines = new Set(w.lines);
  for (const changeType of new Set(follow.items.map((i) => i.changeType))) {
    const codemod = getCodemod(changeType);
    const items = follow.items.filter((i) => i.changeType === changeType);
    const result = codemod?.apply({ file: w.file, text, items });
    if (!result || result.skipped.length > 0 || result.applied.length !== items.length) {
      return items.map((i) => i.candidate.message.split("'")[1] ?? i.candidate.id).join(', ');
    }
    text = result.text;
    for (const l of result.linesAffected) lines.add(l);
  }
  await writeFile(abs, text);
  return {
    ...w,
    lines: [...lines].sort((a, b) => a - b),
    summary: [...w.summary, ...follow.items.map((i) => i.candidate.message)],
  };
}
