/**
 * The queue catalog: each queue's name, payload schema and default job options.
 * Producers and workers both read it, so a payload can't drift between them.
 */
import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { Candidate, FixItem, GitSha, RepoPath } from './schemas.ts';

/**
 * The stages of a run: scan, apply and fix, then publish (push and propose a committed batch).
 * Publishing is a queue and a process of its own so that forge tokens live only where no
 * repository code ever runs.
 */
export const QUEUE_NAMES = ['scan', 'apply', 'fix', 'publish'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];
/** Where pushes and schedules land before a run exists: the scan service turns them into runs. */
export const TRIGGER_QUEUE = 'trigger' as const;
export const ALL_QUEUES = [TRIGGER_QUEUE, ...QUEUE_NAMES] as const;
export type AnyQueueName = (typeof ALL_QUEUES)[number];

/**
 * Where the repository lives. Job data carries references, never file contents, credentials or
 * publish settings: whether and where a branch is published is looked up by the publisher in the
 * server configuration (or the CLI's own options), so an edited job cannot send a token anywhere.
 * A `publish` key in old or edited job data is dropped by the schema.
 */
export const RepoRef = z.object({
  /** Absolute path of the local repository (or of selfreview's cached clone). */
  path: z.string().startsWith('/'),
  /** The name in the server configuration, when the run came from it (pause and resume use it). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
});
export type RepoRef = z.infer<typeof RepoRef>;

const RunRef = {
  runId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
  repo: RepoRef,
  baseBranch: z.string().min(1),
  baseSha: GitSha,
};

export const ScanJob = z.object({
  ...RunRef,
  mode: z.enum(['full', 'push']),
  /** For push scans: the changed files. Ignored for full scans. */
  files: z.array(RepoPath).optional(),
});
export type ScanJob = z.infer<typeof ScanJob>;

/** One file's candidates: apply judges a file's candidates together. */
export const ApplyFile = z.object({
  file: RepoPath,
  candidates: z.array(Candidate).min(1),
});
export type ApplyFile = z.infer<typeof ApplyFile>;

/**
 * How many files and candidates one apply job takes at most (a file is never split: one with more
 * candidates goes alone). Judging is fast; what costs is a job's fixed part (the branch's tip, the
 * files read from git, Redis), so a job takes a group of files.
 */
export const APPLY_GROUP = { maxFiles: 50, maxCandidates: 500 } as const;

/**
 * The candidates of a group of files, each file once (see APPLY_GROUP). A job queued before
 * groups existed (`file` and `candidates` of one file) reads as a group of that one file.
 */
export const ApplyJob = z.preprocess(
  (data) => {
    if (typeof data !== 'object' || data === null || 'files' in data || !('file' in data)) return data;
    const { file, candidates, ...rest } = data as Record<string, unknown>;
    return { ...rest, files: [{ file, candidates }] };
  },
  z
    .object({
      ...RunRef,
      files: z.array(ApplyFile).min(1),
    })
    .refine((job) => new Set(job.files.map((f) => f.file)).size === job.files.length, {
      message: 'a file may appear only once',
      path: ['files'],
    }),
);
export type ApplyJob = z.infer<typeof ApplyJob>;

/** One fix batch: at most `maxFiles` files (enforced by the producer and re-checked by fix). */
export const FixJob = z.object({
  ...RunRef,
  batchId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/),
  /** How many batches before this one carried these items over (time limit, batch limit). */
  carry: z.number().int().min(0).max(10).optional(),
  files: z.array(z.object({ file: RepoPath, items: z.array(FixItem).min(1) })).min(1),
});
export type FixJob = z.infer<typeof FixJob>;

/**
 * A batch the fix worker committed and verified, handed to the publisher: which run, batch,
 * branch and commit, and the batch's items (only for the proposal's text). Nothing in it says
 * where to publish or with which token; the publisher checks the branch and commit itself.
 */
export const PublishJob = z.object({
  ...RunRef,
  batchId: FixJob.shape.batchId,
  branch: z.string().regex(/^selfreview\/[A-Za-z0-9._/-]{1,200}$/, 'expected a selfreview/* branch'),
  commit: GitSha,
  items: z.array(FixItem),
});
export type PublishJob = z.infer<typeof PublishJob>;

/** One publish job per batch, so a fix batch re-run after a crash never queues a second one. */
export function publishJobId(batchId: string): string {
  return jobId(batchId, 'publish');
}

const DAY_S = 24 * 60 * 60;

/** Bounded retention: completed jobs are kept a week, failed ones a month, never without limit. */
const retention = {
  removeOnComplete: { age: 7 * DAY_S, count: 1000 },
  removeOnFail: { age: 30 * DAY_S, count: 5000 },
} satisfies JobsOptions;

/**
 * A repository as the server configuration names it; the scan service opens it (a local
 * path) or keeps a cached clone of it (a URL). No credentials and no publish settings.
 */
export const RepoTarget = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, _ . or -'),
    path: z.string().startsWith('/').optional(),
    url: z
      .string()
      .regex(
        /^(https:\/\/|ssh:\/\/|git@[\w.-]+:|file:\/\/)/,
        'expected an https://, ssh://, git@ or file:// URL',
      )
      .optional(),
    branch: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,200}$/)
      .default('main'),
  })
  .refine((r) => (r.path === undefined) !== (r.url === undefined), {
    message: 'give exactly one of path and url',
  });
export type RepoTarget = z.infer<typeof RepoTarget>;

export const TriggerJob = z.object({
  kind: z.enum(['push', 'schedule', 'manual']),
  repo: RepoTarget,
  /** For pushes: the pushed range; the scan covers what changed since the last scanned commit. */
  before: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  after: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  /** Where the trigger came from, for the log (a delivery id, a scheduler id). */
  source: z.string().max(200).optional(),
  /** The NAME of the variable holding a chat webhook URL for the run's summary. */
  notifyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]{0,63}$/)
    .optional(),
});
export type TriggerJob = z.infer<typeof TriggerJob>;

export const QUEUES = {
  trigger: {
    payload: TriggerJob,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, ...retention },
  },
  scan: {
    payload: ScanJob,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, ...retention },
  },
  apply: {
    payload: ApplyJob,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, ...retention },
  },
  fix: {
    payload: FixJob,
    // A fix batch is expensive and mostly fails for reasons a retry won't change.
    defaultJobOptions: { attempts: 2, backoff: { type: 'exponential', delay: 5000 }, ...retention },
  },
  publish: {
    payload: PublishJob,
    // A forge or remote that did not answer often answers a little later.
    defaultJobOptions: { attempts: 4, backoff: { type: 'exponential', delay: 5000 }, ...retention },
  },
} as const satisfies Record<AnyQueueName, { payload: z.ZodType; defaultJobOptions: JobsOptions }>;

export type JobPayload<Q extends AnyQueueName> = z.infer<(typeof QUEUES)[Q]['payload']>;

/** BullMQ refuses ':' in custom job ids; ids built from run ids and names go through here. */
export function jobId(...parts: string[]): string {
  return parts.join('-').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * The apply job of a group of files (in the job's order). Paths are hashed, not escaped: escaping
 * would give `src/a.ts` and `src_a.ts` the same id and BullMQ would drop one as a duplicate. A
 * group of one file has the id that file's job had before jobs took groups.
 */
export function applyJobId(runId: string, files: readonly string[]): string {
  return jobId(runId, 'apply', createHash('sha256').update(files.join('\0')).digest('hex').slice(0, 20));
}
