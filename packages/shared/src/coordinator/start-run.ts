/**
 * The start of a run, wherever it comes from (a trigger on the server, `selfreview run` on a
 * laptop): the run's record first, then its scan job, opened before it is queued so the run
 * never looks drained before it began. Every step is idempotent (a hash, a set, a job id), so
 * a caller may repeat the whole start after a lost connection.
 */
import type { Queue } from 'bullmq';
import { jobId, type ScanJob } from '../queues.ts';
import type { RunJournal } from '../run-journal.ts';
import type { RunMeta, RunStore } from '../runs.ts';
import type { RunLifecycle } from './run-lifecycle.ts';

export type StartRunDeps = {
  runs: RunStore;
  lifecycle: RunLifecycle;
  scanQueue: Queue<ScanJob>;
  /** Where this host keeps the runs it starts, so a run Redis loses is reported as lost. */
  journal?: RunJournal | undefined;
};

export type RunStart = {
  meta: RunMeta;
  /** More of the run's meta: where it came from (repository name, trigger, summary variable). */
  details?: Record<string, string>;
  scan: Omit<ScanJob, 'runId'>;
};

/** Records the run and queues its scan; returns the scan job's id. */
export async function startRun(deps: StartRunDeps, start: RunStart): Promise<string> {
  const { runId } = start.meta;
  await deps.runs.create(start.meta);
  // After the run exists in Redis: an entry without a run there means Redis lost it.
  await deps.journal?.record(start.meta);
  if (start.details) await deps.runs.setMeta(runId, start.details);
  const scanJobId = jobId(runId, 'scan');
  await deps.lifecycle.openJobs(runId, 'scan', [scanJobId]);
  const job: ScanJob = { runId, ...start.scan };
  await deps.scanQueue.add(job.mode === 'push' ? 'push-scan' : 'full-scan', job, { jobId: scanJobId });
  return scanJobId;
}
