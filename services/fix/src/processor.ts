/**
 * The fix job: one batch (at most `maxFiles` files, at most `maxMinutes`) run through the
 * pipeline (`./pipeline/run-batch.ts`) in its own worktree at the base commit, on its own
 * branch. This file is the BullMQ side of it: a paused or busy repository's job waits
 * (delayed, not failed), the repository's limits are lowered to the operator's, at most
 * `fix.concurrency` batches per repository run at once and never two touching the same file,
 * and the job's result is the batch's fix_results.
 */

import { applyOperatorCaps, DEFAULT_OPERATOR_CAPS, type OperatorCaps } from '@selfreview/shared/config';
import type { FixJob, RepoRef } from '@selfreview/shared/queues';
import type { FixResult } from '@selfreview/shared/schemas';
import { openJobRepository, type ProcessContext } from '@selfreview/shared/worker';
import { DelayedError, type Job } from 'bullmq';
import { conclude } from './pipeline/conclude.ts';
import type { BatchScope, FixDeps } from './pipeline/deps.ts';
import { holdRepoLock } from './pipeline/repo-lock.ts';
import { runBatch } from './pipeline/run-batch.ts';

export { MAX_CARRIES } from './pipeline/conclude.ts';
export type { FixDeps, ModelDeps } from './pipeline/deps.ts';
export { createWorktreePool } from './pipeline/worktree.ts';

const OPERATOR_CAP_DEFAULTS: OperatorCaps = {
  modelBudgetCaps: { ...DEFAULT_OPERATOR_CAPS.model },
  timeCaps: { ...DEFAULT_OPERATOR_CAPS.time },
};

/** How long a batch waits before trying a busy repository again. */
const BUSY_RETRY_MS = 5_000;
/** How often a paused repository's batch looks again. */
const PAUSED_RETRY_MS = 60_000;

export function createFixProcessor(deps: FixDeps) {
  return async (data: FixJob, { job, log, token }: ProcessContext): Promise<FixResult[]> => {
    const started = Date.now();
    if (token && (await deps.pauses?.isPaused(data.repo.name))) {
      log.info({ repo: data.repo.name }, 'repository paused; batch delayed');
      return delay(job, token, PAUSED_RETRY_MS);
    }
    // This host's copy of the repository: in server mode its own clone of the configured URL.
    const repoPath = deps.ownClone ? await deps.ownClone(data.repo, data.baseSha) : data.repo.path;
    const opened = await openJobRepository(repoPath, data.baseSha);
    // The repository's own limits, lowered to the operator's ceilings before anything uses them.
    const capped = applyOperatorCaps(opened.config, deps.caps ?? OPERATOR_CAP_DEFAULTS);
    await deps.runs.addWarnings(data.runId, capped.warnings);
    const scope: BatchScope = { repo: opened.repo, config: capped.config, log };
    const root = scope.repo.root;

    // A slot of the repository's fix.concurrency and every file the batch may change, held for
    // the repository on every host (its folder differs from host to host).
    const claim = { slots: scope.config.fix.concurrency, files: data.files.map((f) => f.file) };
    const lockKey = repoLockKey(data.repo, root, deps.ownClone !== undefined);
    const lock = deps.locks ? await holdRepoLock(deps.locks, lockKey, data.batchId, token, log, claim) : null;
    if (deps.locks && !lock) {
      if (!token) throw new Error(`repository ${root} is busy with other batches or this batch's files`);
      log.info({ holder: await deps.locks.holder(lockKey) }, 'repository busy; batch delayed');
      return delay(job, token, BUSY_RETRY_MS);
    }
    try {
      const outcome = await runBatch(deps, data, scope);
      if (outcome === 'busy') {
        if (!token) throw new Error(`batch ${data.batchId} is still running in another process`);
        log.info('an earlier attempt of this batch still works in its worktree; batch delayed');
        return await delay(job, token, BUSY_RETRY_MS);
      }
      return await conclude(deps, data, outcome, scope, started);
    } finally {
      await lock?.release();
    }
  };
}

/**
 * What a repository's lock is held under: in server mode its name in the server configuration,
 * which is the same on every host, so fix.concurrency and the file locks hold across hosts (each
 * host's clone has its own folder); otherwise its folder, the one repository `selfreview run` or a
 * hand-made job names.
 */
export function repoLockKey(repo: RepoRef, root: string, serverMode: boolean): string {
  return serverMode && repo.name ? `name:${repo.name}` : root;
}

/** Puts the job back as delayed: it is not failed, and no attempt of it is used up. */
async function delay(job: Job, token: string, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}
