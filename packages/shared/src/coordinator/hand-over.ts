/**
 * The hand-overs between stages. Scan hands its candidates to apply in groups of files; the last
 * scan or apply job of a run to close (see RunLifecycle.closeAndClaimHandOver) hands the run's
 * fixable items to fix, in batches; a fix batch hands its committed branch to the publisher. A stage's
 * jobs are opened in the run before they are queued, so the run never looks drained between
 * two stages.
 */
import type { Queue } from 'bullmq';
import { planBatches } from '../batches.ts';
import {
  APPLY_GROUP,
  type ApplyFile,
  type ApplyJob,
  applyJobId,
  type FixJob,
  jobId,
  type PublishJob,
  publishJobId,
} from '../queues.ts';
import type { RunStore } from '../runs.ts';
import type { Candidate } from '../schemas.ts';
import type { RunLifecycle } from './run-lifecycle.ts';

/** What every job of a run carries: which run, which repository, which commit. */
export type RunRef = Pick<FixJob, 'runId' | 'repo' | 'baseBranch' | 'baseSha'>;

export type HandOverDeps = {
  runs: RunStore;
  lifecycle: RunLifecycle;
  /** Called when nothing goes to fix: the run may be over (see finish.ts). */
  finishRun?: ((runId: string) => Promise<unknown>) | undefined;
};

/**
 * The apply jobs' groups: the files with candidates in path order, each file's candidates in
 * the scan's order, cut into groups of at most `limits.maxFiles` files and `limits.maxCandidates`
 * candidates (a file with more goes alone). The same candidates always give the same groups, so a
 * scan job that hands over again after a crash queues the same job ids, which BullMQ adds once.
 */
export function groupForApply(
  candidates: readonly Candidate[],
  limits: { maxFiles: number; maxCandidates: number } = APPLY_GROUP,
): ApplyFile[][] {
  const byFile = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = byFile.get(c.file);
    if (list) list.push(c);
    else byFile.set(c.file, [c]);
  }
  const files = [...byFile.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const groups: ApplyFile[][] = [];
  let group: ApplyFile[] = [];
  let size = 0;
  for (const file of files) {
    const fileCandidates = byFile.get(file) as Candidate[];
    if (
      group.length > 0 &&
      (group.length >= limits.maxFiles || size + fileCandidates.length > limits.maxCandidates)
    ) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push({ file, candidates: fileCandidates });
    size += fileCandidates.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Queues the apply jobs of the files with candidates, in groups (groupForApply); returns how many. */
export async function handOverToApply(
  deps: Pick<HandOverDeps, 'runs' | 'lifecycle'> & { applyQueue: Queue<ApplyJob> },
  run: RunRef,
  candidates: readonly Candidate[],
): Promise<number> {
  const jobs = groupForApply(candidates).map((files) => ({
    name: 'apply-files',
    data: { ...run, files } satisfies ApplyJob,
    opts: {
      jobId: applyJobId(
        run.runId,
        files.map((f) => f.file),
      ),
    },
  }));
  await deps.lifecycle.openJobs(
    run.runId,
    'apply',
    jobs.map((j) => j.opts.jobId),
  );
  await deps.runs.setMeta(run.runId, { applyJobs: jobs.length });
  if (jobs.length > 0) await deps.applyQueue.addBulk(jobs);
  return jobs.length;
}

/**
 * An apply job of several files that failed for good goes back to apply as one job per file, so
 * that a file whose judgement keeps failing loses only its own decisions. The new jobs are opened
 * in the run before they are queued (the caller closes the failed job after this); each has its
 * file's own id, so a split made twice queues each file once. Returns how many were queued.
 */
export async function splitApplyJob(
  deps: Pick<HandOverDeps, 'lifecycle'> & { applyQueue: Queue<ApplyJob> },
  job: ApplyJob,
): Promise<number> {
  const run = { runId: job.runId, repo: job.repo, baseBranch: job.baseBranch, baseSha: job.baseSha };
  const jobs = job.files.map((f) => ({
    name: 'apply-files',
    data: { ...run, files: [f] } satisfies ApplyJob,
    opts: { jobId: applyJobId(job.runId, [f.file]) },
  }));
  // Split before by a worker that crashed in the middle: the jobs that have ended stay closed.
  const pending: string[] = [];
  for (const j of jobs) {
    const existing = await deps.applyQueue.getJob(j.opts.jobId);
    if (!existing || (!(await existing.isCompleted()) && !(await existing.isFailed())))
      pending.push(j.opts.jobId);
  }
  await deps.lifecycle.openJobs(job.runId, 'apply', pending);
  if (jobs.length > 0) await deps.applyQueue.addBulk(jobs);
  return jobs.length;
}

/** Runs once per run, in whichever scan/apply job closed last; returns the number of fix batches. */
export async function handOverToFix(
  deps: HandOverDeps & { fixQueue: Queue<FixJob> },
  run: RunRef,
  maxFiles: number,
): Promise<number> {
  const { runs, lifecycle, fixQueue } = deps;
  const batches = planBatches(await runs.fixable(run.runId), maxFiles);
  const jobs = batches.map((b) => {
    const batchId = jobId(run.runId, 'b', String(b.index + 1));
    return {
      name: 'fix-batch',
      data: { ...run, batchId, files: b.files } satisfies FixJob,
      opts: { jobId: batchId },
    };
  });
  // After a crash mid-hand-over some batches may already have run: don't reopen those.
  const pending: string[] = [];
  for (const j of jobs) {
    const existing = await fixQueue.getJob(j.opts.jobId);
    if (!existing || (!(await existing.isCompleted()) && !(await existing.isFailed())))
      pending.push(j.opts.jobId);
  }
  await lifecycle.openJobs(run.runId, 'fix', pending);
  await runs.setMeta(run.runId, { fixBatches: jobs.length });
  if (jobs.length > 0) await fixQueue.addBulk(jobs);
  await lifecycle.handOverDone(run.runId);
  if (jobs.length === 0) await deps.finishRun?.(run.runId);
  return jobs.length;
}

/**
 * Closes a scan or apply job. The run's last one hands it over to fix: the number of fix
 * batches then, null when other scan or apply jobs are still open. `maxFiles` is asked only
 * when this job hands over (a failed job may have to read the repository's config for it).
 */
export async function closeStageJob(
  deps: HandOverDeps & { fixQueue: Queue<FixJob> },
  job: { stage: 'scan' | 'apply'; jobId: string; run: RunRef },
  maxFiles: number | (() => Promise<number>),
): Promise<number | null> {
  if (!(await deps.lifecycle.closeAndClaimHandOver(job.run.runId, job.stage, job.jobId))) return null;
  return handOverToFix(deps, job.run, typeof maxFiles === 'number' ? maxFiles : await maxFiles());
}

/**
 * Closes a scan job that failed for good. Nothing it found reached apply, so when it was the
 * run's last open job there is nothing to hand over: the claim is released and the run ends.
 */
export async function closeFailedScanJob(
  deps: HandOverDeps,
  runId: string,
  scanJobId: string,
): Promise<void> {
  if (!(await deps.lifecycle.closeAndClaimHandOver(runId, 'scan', scanJobId))) return;
  await deps.lifecycle.handOverDone(runId);
  await deps.finishRun?.(runId);
}

/**
 * Fix to publish: a batch's committed branch goes to the publisher once. A pull request record
 * for the batch means the publisher already has (or had) it, and its own retries take it from
 * there. Otherwise the publish job is opened in the run before it is queued, and before the fix
 * job closes, so the run never looks drained between the two. True when it was handed over.
 */
export async function handOverToPublish(
  deps: {
    runs: Pick<RunStore, 'pullRequests'>;
    lifecycle: Pick<RunLifecycle, 'openJobs'>;
    /** Queues the job (queuePublishJob in a worker). */
    publish: (job: PublishJob) => Promise<void>;
  },
  job: PublishJob,
): Promise<boolean> {
  const prior = (await deps.runs.pullRequests(job.runId)).find((p) => p.batchId === job.batchId);
  if (prior) return false;
  await deps.lifecycle.openJobs(job.runId, 'publish', [publishJobId(job.batchId)]);
  await deps.publish(job);
  return true;
}

/**
 * Queues a publish job under its batch's id. A re-run batch whose publish job already ended adds
 * nothing: BullMQ keeps the ended job under that id. Its entry in the run's open set must not
 * outlive it, or the run never ends, so it is closed here.
 */
export async function queuePublishJob(
  deps: { lifecycle: Pick<RunLifecycle, 'closeJob'>; publishQueue: Queue<PublishJob> },
  job: PublishJob,
): Promise<void> {
  const id = publishJobId(job.batchId);
  await deps.publishQueue.add('publish-batch', job, { jobId: id });
  const state = await deps.publishQueue.getJobState(id);
  if (state === 'completed' || state === 'failed') await deps.lifecycle.closeJob(job.runId, 'publish', id);
}
