/**
 * What an earlier attempt of the same batch left (a crash, a retry, an operator's re-queue):
 * its recorded results, or its branch. A re-run reuses them instead of making a second branch
 * or commit.
 */
import type { Logger } from '@selfreview/shared/logger';
import type { FixJob } from '@selfreview/shared/queues';
import type { RunStore } from '@selfreview/shared/runs';
import type { Repository } from '@selfreview/shared/workspace';
import { UnrecoverableError } from 'bullmq';
import { hasBatchTrailer } from '../branch.ts';
import type { BatchOutcome } from './attempt.ts';
import type { BatchPlan } from './plan.ts';
import { isCarried, isPending, toResult } from './work.ts';

/**
 * The results an earlier attempt recorded for every file: nothing is changed again; what is
 * left (publishing, the follow-up batch) `conclude` does again, idempotently.
 */
export async function recordedOutcome(runs: RunStore, data: FixJob): Promise<BatchOutcome | null> {
  const earlier = (await runs.fixResults(data.runId)).filter((r) => r.batchId === data.batchId);
  if (earlier.length === 0 || earlier.length < data.files.length) return null;
  return { results: earlier, branch: earlier.find((r) => r.branch)?.branch ?? null, carried: [] };
}

export type EarlierBranch = { tip: string; madeBy: string | null };

/**
 * The batch's branch if it already exists with a commit on it. One an earlier attempt of this
 * batch made and died before committing to is deleted, so the batch starts again.
 */
export async function earlierBranch(
  repo: Repository,
  data: FixJob,
  branch: string,
  log: Logger,
): Promise<EarlierBranch | null> {
  const tip = await repo.resolveBranch(branch);
  if (!tip) return null;
  const madeBy = await repo.branchNote(branch, 'batch');
  if (tip === data.baseSha && madeBy === data.batchId) {
    log.info({ branch }, 'recreating the branch an earlier attempt left without a commit');
    await repo.deleteBranch(branch);
    return null;
  }
  return { tip, madeBy };
}

/** A branch from an earlier attempt of this same batch: its commit is taken instead of making a second one. */
export async function reuseBranch(
  repo: Repository,
  data: FixJob,
  plan: BatchPlan,
  { tip, madeBy }: EarlierBranch,
): Promise<BatchOutcome> {
  // Recognised by the note written before the branch was made; a branch from before such notes, by its commit.
  if (madeBy !== data.batchId && !hasBatchTrailer(await repo.commitMessage(tip), data.batchId)) {
    throw new UnrecoverableError(`branch ${plan.branch} already exists and was not made by this batch`);
  }
  const touched = new Set(await repo.changedFiles(data.baseSha, tip));
  const results = plan.work.filter(isPending).map((w) => {
    const done = touched.has(w.file);
    return toResult(data, w, {
      lines_affected: [],
      branch: done ? plan.branch : null,
      commit: done ? tip : null,
      status: done ? 'committed' : 'failed',
      verification: { typecheck: done ? 'pass' : 'skipped', tests: 'skipped' },
      reason: done ? 'committed by an earlier attempt of this batch' : "not in the earlier attempt's commit",
    });
  });
  return { results, branch: plan.branch, carried: plan.work.filter(isCarried) };
}
