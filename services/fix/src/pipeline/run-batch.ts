/**
 * A fix batch as a pipeline of steps, each a module of this folder with a typed input and
 * output: plan → worktree → edit (codemod | model) → verify (typecheck, tests) → gates →
 * commit. `conclude` (conclude.ts) then records and hands on what the batch ended with.
 */
import type { FixJob } from '@selfreview/shared/queues';
import type { Worktree } from '@selfreview/shared/workspace';
import { worktreeInUse } from '../stale-worktrees.ts';
import type { PreparedWorktree } from '../worktree-setup.ts';
import { type Attempt, attemptOutcome, type BatchOutcome, isStopped, stopped } from './attempt.ts';
import { commitBatch } from './commit.ts';
import { startDeadline, untilDeadline } from './deadline.ts';
import type { BatchScope, FixDeps, ModelDeps } from './deps.ts';
import { earlierBranch, recordedOutcome, reuseBranch } from './earlier-attempt.ts';
import { editBatch } from './edit.ts';
import { gateBatch } from './gates.ts';
import { planBatch } from './plan.ts';
import { StepTimes } from './step-times.ts';
import { verifyBatch } from './verify.ts';
import { isCarried, isPending, type Work } from './work.ts';
import {
  type BatchSetup,
  batchPaths,
  pruneDeadAttempts,
  readyWorktree,
  recordWorktreeNotes,
  withWorktree,
} from './worktree.ts';

/** The batch's outcome, or 'busy' while another process still works on this very batch. */
export async function runBatch(
  deps: FixDeps,
  data: FixJob,
  scope: BatchScope,
): Promise<BatchOutcome | 'busy'> {
  const recorded = await recordedOutcome(deps.runs, data);
  if (recorded) return recorded;
  const plan = planBatch(data, scope.config.fix.maxFiles, deps.model !== undefined);
  if (!plan.work.some(isPending)) return { results: [], branch: null, carried: plan.work.filter(isCarried) };

  const paths = batchPaths(deps.dataDir, scope.repo.root, data.batchId);
  // That process lost its job, not its life: let it end.
  if (await worktreeInUse(paths.dir)) return 'busy';
  await pruneDeadAttempts(scope.repo, paths, scope.log);
  const earlier = await earlierBranch(scope.repo, data, plan.branch, scope.log);
  if (earlier) return reuseBranch(scope.repo, data, plan, earlier);

  const deadline = startDeadline(scope.config.fix.maxMinutes);
  const setup: BatchSetup = {
    ...scope,
    data,
    branch: plan.branch,
    paths,
    deadline,
    ...(deps.worktrees ? { pool: deps.worktrees } : {}),
  };
  const steps = new StepTimes();
  let worktreeDir = paths.dir;
  const attempt = await untilDeadline(
    deadline,
    () =>
      withWorktree(setup, (wt, prepared) => {
        steps.lap('worktree');
        worktreeDir = wt.dir;
        return attemptInWorktree(setup, wt, prepared, plan.work, deps.model, steps);
      }),
    () => stopped({ kind: 'time_up' }, plan.work, []),
  );
  steps.lap('cleanup');
  scope.log.info({ stepsMs: steps.ms }, 'batch step times');
  await recordWorktreeNotes(deps.runs, data.runId, worktreeDir, attempt.notes);
  return attemptOutcome(data, plan.branch, attempt, deadline);
}

async function attemptInWorktree(
  setup: BatchSetup,
  wt: Worktree,
  prepared: PreparedWorktree,
  planned: Work[],
  model: ModelDeps | undefined,
  steps: StepTimes,
): Promise<Attempt> {
  const batch = await readyWorktree(setup, wt, prepared, planned);
  steps.lap('ready');
  if (isStopped(batch)) return batch;
  const edited = await editBatch(batch, model, planned);
  steps.lap('edit');
  if (isStopped(edited)) return edited;
  const verified = await verifyBatch(batch, edited, steps);
  steps.lap('tests');
  if (isStopped(verified)) return verified;
  const gated = await gateBatch(batch, verified);
  steps.lap('gates');
  if (isStopped(gated)) return gated;
  const done = await commitBatch(batch, gated);
  steps.lap('commit');
  return done;
}
