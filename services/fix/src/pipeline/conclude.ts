/**
 * Step 7, conclude: records the batch's results, hands carried-over items to a follow-up batch,
 * hands the committed branch to the publisher, and closes the job. Every part is idempotent, so
 * a re-run after a crash finishes what the crashed attempt did not, without a second branch,
 * publish job or follow-up batch.
 */
import { planBatches } from '@selfreview/shared/batches';
import { handOverToPublish } from '@selfreview/shared/coordinator';
import type { Logger } from '@selfreview/shared/logger';
import type { FixJob } from '@selfreview/shared/queues';
import { LOST_RUN_REASON } from '@selfreview/shared/run-journal';
import { startedAtFromRunId } from '@selfreview/shared/runs';
import type { FixItem, FixResult } from '@selfreview/shared/schemas';
import type { Repository } from '@selfreview/shared/workspace';
import { UnrecoverableError } from 'bullmq';
import type { BatchOutcome } from './attempt.ts';
import type { BatchScope, FixDeps } from './deps.ts';
import { type CarriedWork, toResult } from './work.ts';

/** After this many follow-up batches, carried-over items wait for the next scan instead. */
export const MAX_CARRIES = 3;

export async function conclude(
  deps: FixDeps,
  data: FixJob,
  outcome: BatchOutcome,
  { config, log, repo }: BatchScope,
  started: number,
): Promise<FixResult[]> {
  // A run whose state Redis lost (restarted without persistence) gets no follow-ups: it is
  // recorded as lost, with this batch's branch, so the branch is never one no report mentions.
  const lost = await runWasLost(deps, data, outcome.branch, log);
  const followUps = lost
    ? new Map<CarriedWork, string>()
    : await handOn(deps, data, outcome.carried, config.fix.maxFiles);
  const results = [
    ...outcome.results,
    ...outcome.carried.map((w) =>
      toResult(data, w, {
        lines_affected: [],
        branch: null,
        commit: null,
        status: 'carried_over',
        verification: { typecheck: 'skipped', tests: 'skipped' },
        reason: followUps.get(w) ?? w.reason,
      }),
    ),
  ];
  await deps.runs.putFixResults(data.runId, results);
  await remember(deps, data, results);
  await handToPublisher(deps, data, outcome.branch, results, repo, log);

  await deps.runs.markStage(data.runId, 'fix', started, Date.now());
  await deps.lifecycle?.closeJob(data.runId, 'fix', data.batchId);
  await deps.finishRun?.(data.runId);
  const failed = results.filter((r) => r.status === 'failed');
  if (results.length > 0 && failed.length === results.length) {
    // Visible as a failed job, for an operator to read and re-queue; retrying as is would fail the same way.
    throw new UnrecoverableError(failed.map((r) => `${r.file}: ${r.reason}`).join('; '));
  }
  return results;
}

async function runWasLost(deps: FixDeps, data: FixJob, branch: string | null, log: Logger): Promise<boolean> {
  if (!deps.recordLostRuns) return false;
  // Missing, or already found lost by another worker (whose list of branches lacks this one's).
  const meta = await deps.runs.meta(data.runId);
  if (meta?.repoPath && !meta.lost) return false;
  log.error({ runId: data.runId, branch }, "the run's state is gone from Redis; recording the run as lost");
  await deps.runs.markLost(
    {
      runId: data.runId,
      repoPath: data.repo.path,
      baseBranch: data.baseBranch,
      baseSha: data.baseSha,
      startedAt: startedAtFromRunId(data.runId),
    },
    LOST_RUN_REASON,
    branch ? [branch] : [],
  );
  return true;
}

/**
 * Items carried over for want of time or room go to follow-up batches (opened in the run before
 * they are queued, so the run does not drain early). Returns each such item's reason, naming
 * where it went; after MAX_CARRIES follow-ups the items wait for the next scan instead.
 */
async function handOn(
  deps: FixDeps,
  data: FixJob,
  carried: readonly CarriedWork[],
  maxFiles: number,
): Promise<Map<CarriedWork, string>> {
  const reasons = new Map<CarriedWork, string>();
  const continuing = carried.filter((w) => w.continues);
  if (continuing.length === 0 || !deps.requeue) return reasons;
  const carry = (data.carry ?? 0) + 1;
  if (carry > MAX_CARRIES) {
    for (const w of continuing)
      reasons.set(w, `${w.reason}; carried over ${MAX_CARRIES} times, left for the next scan`);
    return reasons;
  }
  const byFile = new Map<string, FixItem[]>();
  for (const w of continuing) byFile.set(w.file, [...(byFile.get(w.file) ?? []), ...w.items]);
  const jobs = planBatches(byFile, maxFiles).map(
    (b): FixJob => ({
      ...data,
      batchId: followUpBatchId(data.batchId, carry, b.index + 1),
      carry,
      files: b.files,
    }),
  );
  await lifecycleOf(deps, 'requeue').openJobs(
    data.runId,
    'fix',
    jobs.map((j) => j.batchId),
  );
  await deps.runs.addFixBatches(data.runId, jobs.length);
  for (const job of jobs) await deps.requeue(job);
  for (const w of continuing) {
    const job = jobs.find((j) => j.files.some((f) => f.file === w.file));
    reasons.set(w, `${w.reason}; continues in batch ${job?.batchId}`);
  }
  return reasons;
}

/** `<run>-b-3` carried once is `<run>-b-3-c1-1`; carried again `<run>-b-3-c2-1`, within the 80-character id limit. */
export function followUpBatchId(batchId: string, carry: number, index: number): string {
  const root = batchId.replace(/-c\d+-\d+$/, '');
  const suffix = `-c${carry}-${index}`;
  return `${root.slice(0, 80 - suffix.length)}${suffix}`;
}

/** Committed and failed fixes are remembered, so apply does not propose them again right away. */
async function remember(deps: FixDeps, data: FixJob, results: readonly FixResult[]): Promise<void> {
  if (!deps.memory) return;
  for (const r of results) {
    const outcome = r.status === 'committed' ? 'fixed' : r.status === 'failed' ? 'failed' : undefined;
    if (!outcome) continue;
    for (const id of r.candidateIds) await deps.memory.record(data.repo.path, id, outcome);
  }
}

/** The committed branch goes to the publisher, once per batch (the coordinator's hand-over). */
async function handToPublisher(
  deps: FixDeps,
  data: FixJob,
  branch: string | null,
  results: readonly FixResult[],
  repo: Repository,
  log: Logger,
): Promise<void> {
  const committed = results.filter((r) => r.status === 'committed');
  const commit = committed[0]?.commit;
  const publish = deps.publish;
  if (!branch || !commit || !publish) return;
  const ids = new Set(committed.flatMap((r) => r.candidateIds));
  const handed = await handOverToPublish(
    { runs: deps.runs, lifecycle: lifecycleOf(deps, 'publish'), publish: (job) => publish(job, repo) },
    {
      runId: data.runId,
      repo: data.repo,
      baseBranch: data.baseBranch,
      baseSha: data.baseSha,
      batchId: data.batchId,
      branch,
      commit,
      items: data.files.flatMap((f) => f.items).filter((i) => ids.has(i.candidate.id)),
    },
  );
  if (handed) log.info({ branch, commit }, 'batch handed to the publisher');
}

/** What `requeue` and `publish` queue is opened in the run first: they come with the lifecycle. */
function lifecycleOf(deps: FixDeps, queuer: 'requeue' | 'publish'): NonNullable<FixDeps['lifecycle']> {
  if (!deps.lifecycle) throw new Error(`the fix processor was given ${queuer} without the run's lifecycle`);
  return deps.lifecycle;
}
