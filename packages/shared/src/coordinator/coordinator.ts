/**
 * The run coordinator: one place for a run's life between the stages. A trigger becomes a
 * run, scan hands its candidates to apply, the last scan or apply job hands the fixable items
 * to fix, each fix batch hands its committed branch to the publisher, and whoever closes the
 * run's last job finishes it. The stage workers do the work and call this for every step
 * between them; one instance per process.
 */
import type { Queue } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { RepoPauses } from '../pauses.ts';
import type { ApplyJob, FixJob, PublishJob, ScanJob } from '../queues.ts';
import type { Redis } from '../redis.ts';
import type { RunJournal } from '../run-journal.ts';
import { RunStore } from '../runs.ts';
import type { Candidate } from '../schemas.ts';
import { finishRunIfDrained } from './finish.ts';
import {
  closeFailedScanJob,
  closeStageJob,
  type HandOverDeps,
  handOverToApply,
  queuePublishJob,
  type RunRef,
  splitApplyJob,
} from './hand-over.ts';
import { RunLifecycle } from './run-lifecycle.ts';
import { createTriggerProcessor } from './trigger.ts';

export type CoordinatorDeps = {
  redis: Redis;
  prefix: string;
  /** Where a finished run's summary webhook URL is read, by the variable name the run gives. */
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
};

export class RunCoordinator {
  readonly runs: RunStore;
  readonly lifecycle: RunLifecycle;

  constructor(private readonly deps: CoordinatorDeps) {
    this.runs = new RunStore(deps.redis, deps.prefix);
    this.lifecycle = new RunLifecycle(deps.redis, deps.prefix);
  }

  /** The trigger queue's processor: pushes, schedules and manual requests become runs. */
  triggerProcessor(opts: {
    scanQueue: Queue<ScanJob>;
    dataDir: string;
    pauses: RepoPauses;
    journal?: RunJournal;
  }): ReturnType<typeof createTriggerProcessor> {
    return createTriggerProcessor({
      runs: this.runs,
      redis: this.deps.redis,
      prefix: this.deps.prefix,
      ...opts,
    });
  }

  /** Scan to apply: the files with candidates, in groups of files per apply job; returns how many jobs. */
  handOverToApply(
    applyQueue: Queue<ApplyJob>,
    run: RunRef,
    candidates: readonly Candidate[],
  ): Promise<number> {
    return handOverToApply({ runs: this.runs, lifecycle: this.lifecycle, applyQueue }, run, candidates);
  }

  /**
   * Puts each file of an apply job that failed for good back to apply as a job of its own (opened
   * before queued); the caller then closes the failed job. Returns how many were queued.
   */
  splitApplyJob(applyQueue: Queue<ApplyJob>, job: ApplyJob): Promise<number> {
    return splitApplyJob({ lifecycle: this.lifecycle, applyQueue }, job);
  }

  /**
   * Closes a scan or apply job; the run's last one hands it over to fix (the number of fix
   * batches, null when other jobs of the two stages are still open).
   */
  closeStageJob(
    fixQueue: Queue<FixJob>,
    job: { stage: 'scan' | 'apply'; jobId: string; run: RunRef },
    maxFiles: number | (() => Promise<number>),
  ): Promise<number | null> {
    return closeStageJob({ ...this.handOverDeps(), fixQueue }, job, maxFiles);
  }

  /** Closes a scan job that failed for good; ends the run when it was the last open job. */
  closeFailedScanJob(runId: string, scanJobId: string): Promise<void> {
    return closeFailedScanJob(this.handOverDeps(), runId, scanJobId);
  }

  /**
   * Queues a publish job for handOverToPublish (which the fix batch calls, having opened the
   * job); a re-run batch's publish job that already ended is closed instead.
   */
  queuePublishJob(publishQueue: Queue<PublishJob>, job: PublishJob): Promise<void> {
    return queuePublishJob({ lifecycle: this.lifecycle, publishQueue }, job);
  }

  /** Closes a fix or publish job that has ended, and ends the run when it was the last open one. */
  async closeJobAndFinishRun(runId: string, stage: 'fix' | 'publish', jobId: string): Promise<void> {
    await this.lifecycle.closeJob(runId, stage, jobId);
    await this.finishRun(runId);
  }

  /**
   * Ends the run when its last job has closed (finishedAt, the summary). Never throws: callers
   * are job handlers whose own work is done, and a failure here must not fail their job.
   */
  readonly finishRun = async (runId: string): Promise<void> => {
    await finishRunIfDrained({
      redis: this.deps.redis,
      prefix: this.deps.prefix,
      runs: this.runs,
      runId,
      env: this.deps.env,
      log: this.deps.log,
    }).catch((err: Error) => this.deps.log.warn({ runId, err: err.message }, 'finishing the run failed'));
  };

  private handOverDeps(): HandOverDeps {
    return { runs: this.runs, lifecycle: this.lifecycle, finishRun: this.finishRun };
  }
}
