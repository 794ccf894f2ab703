/**
 * The hand-over from apply to fix. Runs once per run, in whichever scan/apply
 * job closed last (see RunStore.closeAndClaimHandOver).
 */
import type { Queue } from 'bullmq';
import { planBatches } from './batches.ts';
import { type FixJob, jobId } from './queues.ts';
import type { RunStore } from './runs.ts';

export async function handOverToFix(opts: {
  runs: RunStore;
  fixQueue: Queue<FixJob>;
  run: Pick<FixJob, 'runId' | 'repo' | 'baseBranch' | 'baseSha'>;
  maxFiles: number;
  /** Called when nothing goes to fix: the run may be over (see run-finish.ts). */
  finishRun?: (runId: string) => Promise<unknown>;
}): Promise<number> {
  const { runs, fixQueue, run } = opts;
  const batches = planBatches(await runs.fixable(run.runId), opts.maxFiles);
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
  await runs.openJobs(run.runId, 'fix', pending);
  await runs.setMeta(run.runId, { fixBatches: jobs.length });
  if (jobs.length > 0) await fixQueue.addBulk(jobs);
  await runs.handOverDone(run.runId);
  if (jobs.length === 0) await opts.finishRun?.(run.runId);
  return jobs.length;
}
