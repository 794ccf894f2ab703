/**
 * Step 2, worktree: the batch's own worktree at the base commit (new, or kept from an earlier
 * batch of that commit), on its own branch, made to behave like the user's checkout, with the
 * base commit's diagnostics taken before anything changes. The user's working tree and branches
 * are never touched.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '@selfreview/shared/logger';
import type { FixJob } from '@selfreview/shared/queues';
import type { RunStore } from '@selfreview/shared/runs';
import type { Repository, Worktree } from '@selfreview/shared/workspace';
import { claimWorktree, markWorktreeRoot, pruneDeadWorktrees, releaseWorktree } from '../stale-worktrees.ts';
import { Verifier } from '../verification.ts';
import { pruneVerifyCache } from '../verification-cache.ts';
import { WorktreePool } from '../worktree-pool.ts';
import { type PreparedWorktree, prepareWorktree } from '../worktree-setup.ts';
import { type Attempt, type Stopped, stopped } from './attempt.ts';
import { type Deadline, untilDeadline } from './deadline.ts';
import type { BatchScope } from './deps.ts';
import { isPending, type Work } from './work.ts';

export type BatchPaths = Readonly<{
  /** This repository's worktrees (a `.repo` file there names the repository). */
  worktreeRoot: string;
  /** This batch's worktree. */
  dir: string;
  /** The repository's base-commit diagnostics and test outcomes, per commit. */
  verifyCache: string;
}>;

export function batchPaths(dataDir: string, repoRoot: string, batchId: string): BatchPaths {
  const repoKey = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  const worktreeRoot = path.join(dataDir, 'worktrees', repoKey);
  return {
    worktreeRoot,
    dir: path.join(worktreeRoot, batchId),
    verifyCache: path.join(dataDir, 'verify-cache', repoKey),
  };
}

/**
 * Runs `step` after the other such steps of this process on the same repository: the git
 * commands that write the repository's shared files. Batches of one repository run in parallel
 * worktrees (`fix.concurrency`), and most of what they do to git is their own (the worktree's
 * index and HEAD, the branch's ref), but `.git/config` (the branch notes, and the section
 * `git branch -D` removes) has one lock: a second writer is refused ("could not lock config
 * file"), and `git branch -D` then leaves the section behind without failing. Worktree add,
 * remove and prune also change git's shared worktree registry. These few steps are short, so
 * they take turns; everything else runs in parallel. Another process's steps are not held back:
 * the branch notes retry a refused lock (refs.ts). `key` is the repository's root (or, for other
 * steps that take turns, a key of their own).
 */
export function inTurn<T>(key: string, step: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const run = previous.then(step, step);
  const done = run.then(
    () => {},
    () => {},
  );
  turns.set(key, done);
  void done.then(() => {
    if (turns.get(key) === done) turns.delete(key);
  });
  return run;
}

const turns = new Map<string, Promise<void>>();

/** Removes what dead attempts left (this batch's or others'): their worktrees, and branches without a commit. */
export async function pruneDeadAttempts(repo: Repository, paths: BatchPaths, log: Logger): Promise<void> {
  const pruned = await inTurn(repo.root, () => pruneDeadWorktrees(repo, paths.worktreeRoot)).catch(() => 0);
  if (pruned > 0) log.info({ pruned }, 'removed worktrees of batches whose workers are gone');
}

/** A batch about to get its worktree: where, on which branch, until when. */
export type BatchSetup = BatchScope &
  Readonly<{
    data: FixJob;
    branch: string;
    paths: BatchPaths;
    deadline: Deadline;
    /** The worker's kept worktrees (worktree-pool.ts); absent: each batch makes and removes its own. */
    pool?: WorktreePool;
  }>;

/**
 * Runs `attempt` in a worktree of the base commit on the batch's branch, made to behave like
 * the checkout (`prepareWorktree`): one kept from an earlier batch of the same commit when the
 * worker keeps them, else a new one. Afterwards the worktree is reset and kept, or removed
 * when it cannot be reset clean or nothing keeps it, whatever happened; a branch that got no
 * commit is deleted: it would only be noise for the reviewer.
 */
export async function withWorktree(
  setup: BatchSetup,
  attempt: (wt: Worktree, prepared: PreparedWorktree) => Promise<Attempt>,
): Promise<Attempt> {
  const { repo, data, branch, paths, pool, config, deadline } = setup;
  await markWorktreeRoot(paths.worktreeRoot, repo.root);
  // The marker first, so no one takes the worktree for a dead batch's while it is being made;
  // the branch's notes before the branch, so a crash at any point leaves a branch this batch
  // recognises as its own when it is retried.
  await claimWorktree(paths.dir, data.batchId);
  await inTurn(repo.root, async () => {
    await repo.setBranchNote(branch, 'batch', data.batchId);
    await repo.setBranchNote(branch, 'base', data.baseSha);
  });
  const setupKey = JSON.stringify(config.fix.setup);
  const kept = pool?.take(repo.root, data.baseSha, setupKey) ?? null;
  // A kept worktree's folder is named after the batch that made it, apart from any batch's own
  // marker: its owner marker names this process, the batch's names the batch (`busy`).
  const folder = kept?.dir ?? (pool ? path.join(paths.worktreeRoot, `pool-${data.batchId}`) : paths.dir);
  if (folder !== paths.dir) await claimWorktree(folder, data.batchId);
  let worktree: Worktree | null = null;
  let prepared: PreparedWorktree | null = kept?.prepared ?? null;
  let commit: string | null = null;
  try {
    worktree = await inTurn(repo.root, () =>
      kept
        ? repo.reuseWorktree(folder, data.baseSha, branch)
        : repo.addWorktree(folder, data.baseSha, branch),
    );
    prepared ??= await prepareWorktree(repo, worktree, config.fix.setup, deadline.signal);
    const ended = await attempt(worktree, prepared);
    if (ended.outcome === 'committed') commit = ended.commit;
    return ended;
  } finally {
    const keep = pool && worktree && prepared ? prepared : null;
    // The worktree's own HEAD, index and files only: nothing shared, so not in turn.
    const reset =
      keep !== null && (await repo.resetWorktree(folder, data.baseSha, keep.linked).catch(() => false));
    if (pool && keep && reset) {
      pool.park({ repoRoot: repo.root, dir: folder, baseSha: data.baseSha, setupKey, prepared: keep });
    } else {
      if (worktree || kept) await inTurn(repo.root, () => repo.removeWorktree(folder));
      if (folder !== paths.dir) await releaseWorktree(folder);
    }
    await releaseWorktree(paths.dir);
    if (!commit && (await repo.resolveBranch(branch)) === data.baseSha)
      await inTurn(repo.root, () => repo.deleteBranch(branch));
  }
}

/**
 * A fix worker's pool of worktrees (`perRepository` kept per repository: SELFREVIEW_FIX_KEPT_WORKTREES),
 * each removed through git with its owner marker; null for 0: every batch makes and removes its own.
 */
export function createWorktreePool(
  perRepository: number,
  openRepository: (root: string) => Promise<Repository>,
): WorktreePool | null {
  if (perRepository < 1) return null;
  return new WorktreePool({
    perRepository,
    idleMs: KEPT_IDLE_MS,
    remove: async ({ repoRoot, dir }) => {
      const repo = await openRepository(repoRoot);
      await inTurn(repo.root, () => repo.removeWorktree(dir));
      await releaseWorktree(dir);
    },
  });
}

/** A kept worktree unused this long is removed: the next push's batches come within minutes or not soon. */
const KEPT_IDLE_MS = 5 * 60_000;

/** What every step in the worktree reads; none of it changes during the batch. */
export type BatchInWorktree = BatchSetup &
  Readonly<{
    wt: Worktree;
    /** Dependency links made in the worktree: never part of a change. */
    linked: readonly string[];
    verifier: Verifier;
    /** The files of the works the batch set out to change: what its typecheck judges. */
    files: readonly string[];
    /** Where the worktree differs from the checkout, and what cannot be judged at the base. */
    notes: readonly string[];
  }>;

/** The worktree made to behave like the checkout (`prepared`), and the base commit's diagnostics. */
export async function readyWorktree(
  setup: BatchSetup,
  wt: Worktree,
  prepared: PreparedWorktree,
  work: Work[],
): Promise<BatchInWorktree | Stopped> {
  const { repo, config, log, paths, deadline } = setup;
  if (prepared.notes.length > 0) log.warn({ notes: prepared.notes }, 'worktree differs from the checkout');
  const pruned = await pruneVerifyCache(paths.verifyCache).catch(() => 0);
  if (pruned > 0) log.info({ pruned }, 'removed verification cache entries unused for a week');
  const verifier = new Verifier(wt, config.fix, paths.verifyCache, deadline.signal);
  const files = work.filter(isPending).map((w) => w.file);
  // The base's diagnostics first, before anything in the worktree changes (cached per commit).
  // Batches of one commit in this worker take their base in turn: the first computes and caches
  // it, the next finds it in the cache instead of running the same full check beside it.
  const interrupted = await untilDeadline(
    deadline,
    async () => {
      await inTurn(`${repo.root}\0base ${wt.baseSha}`, () => verifier.baseline(files));
      return null;
    },
    () => stopped({ kind: 'time_up' }, work, prepared.notes),
  );
  if (interrupted) return interrupted;
  const baseNotes =
    verifier.baseErrors.length > 0
      ? [`typecheck cannot run at the base commit: ${verifier.baseErrors.join('; ')}`]
      : [];
  return { ...setup, wt, linked: prepared.linked, verifier, files, notes: [...prepared.notes, ...baseNotes] };
}

/**
 * The worktree's notes as the run's warnings, its path left out, so that what holds for every
 * batch (a submodule that isn't checked out, tests that fail at the base) is one warning of the
 * run, not one per batch.
 */
export async function recordWorktreeNotes(
  runs: RunStore,
  runId: string,
  worktreeDir: string,
  notes: readonly string[],
): Promise<void> {
  if (notes.length > 0)
    await runs.addWarnings(runId, [...new Set(notes.map((n) => n.split(worktreeDir).join('.')))]);
}
