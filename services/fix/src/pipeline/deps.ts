/** What the fix worker is given from outside: stores, queues and the model. Typed once, read by every step. */
import type { OperatorCaps, RepoConfig } from '@selfreview/shared/config';
import type { RunLifecycle } from '@selfreview/shared/coordinator';
import type { RepoLock } from '@selfreview/shared/locks';
import type { Logger } from '@selfreview/shared/logger';
import type { FindingMemory } from '@selfreview/shared/memory';
import type { ModelClient } from '@selfreview/shared/model/client';
import type { RepoPauses } from '@selfreview/shared/pauses';
import type { FixJob, PublishJob } from '@selfreview/shared/queues';
import type { RunStore } from '@selfreview/shared/runs';
import type { Repository } from '@selfreview/shared/workspace';
import type { OwnClone } from '../own-clone.ts';
import type { WorktreePool } from '../worktree-pool.ts';

export type FixDeps = {
  runs: RunStore;
  dataDir: string;
  /**
   * The run's open jobs (the coordinator's RunLifecycle): follow-up batches and the publish job
   * are opened in the run before they are queued, and the batch's own job is closed when it
   * ends. Needed with `requeue` or `publish`; absent only in tests that drive the processor by
   * hand and do not watch the run, where nothing is opened or closed.
   */
  lifecycle?: Pick<RunLifecycle, 'openJobs' | 'closeJob'>;
  /** Where outcomes are remembered across runs (apply reads it); absent in some tests. */
  memory?: FindingMemory;
  /** A repository's batch slots (`fix.concurrency`) and file locks; absent in tests that drive the processor by hand. */
  locks?: RepoLock;
  /** A paused repository's batches wait (delayed) until it is resumed. */
  pauses?: RepoPauses;
  /** Ends the run when its last job closes (summary, finishedAt). */
  finishRun?: (runId: string) => Promise<unknown>;
  /** Enqueues a follow-up batch with the items this one carried over; absent: they are only reported. */
  requeue?: (job: FixJob) => Promise<void>;
  /**
   * Queues a committed batch's publish job (the coordinator's queuePublishJob in the worker);
   * the coordinator's handOverToPublish calls it once per batch, with the job opened. The fix
   * worker holds no forge token and no publish settings: pushing and proposing happen in the
   * publisher process. Absent: the branch stays local and no pull request record is written.
   * `local` is the repository the batch committed in (this host's), from which the worker keeps
   * the branch for a publisher on another host.
   */
  publish?: (job: PublishJob, local: Repository) => Promise<void>;
  /**
   * Where this host keeps the job's repository: in server mode its own clone of the configured
   * URL (`own-clone.ts`), since the job's path is the scan worker's; absent: the job's path.
   */
  ownClone?: OwnClone;
  /**
   * Whether a run missing from Redis is taken for a run whose state Redis lost (the worker's
   * setting); off in tests that drive the processor without creating the run.
   */
  recordLostRuns?: boolean;
  /** The model fixer; absent when no API key is configured (its items then wait as needs_llm). */
  model?: ModelDeps;
  /**
   * Worktrees kept between batches of one commit (worktree-pool.ts), drained when the worker
   * stops; absent: each batch makes and removes its own worktree.
   */
  worktrees?: WorktreePool;
  /** The operator's ceilings on budgets and time limits (loadConfig); the defaults when absent. */
  caps?: OperatorCaps;
};

export type ModelDeps = {
  client: ModelClient;
  /** Values from the environment that must never reach a prompt. */
  secrets: readonly string[];
};

/** The repository a batch works on, its configuration (already lowered to the operator's caps) and the job's log. */
export type BatchScope = Readonly<{ repo: Repository; config: RepoConfig; log: Logger }>;
