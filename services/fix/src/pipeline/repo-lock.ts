/**
 * A batch's hold on its repository: one of the repository's `fix.concurrency` slots and every
 * file the batch may change (`@selfreview/shared/locks`, taken all or nothing), renewed while the
 * batch runs, so at most that many batches of one repository run at once and never two touching
 * the same file. Short expiries: a worker that dies holding them delays the repository by one
 * expiry, not by the batch's time limit.
 */
import type { ClaimRefused, RepoLock } from '@selfreview/shared/locks';
import type { Logger } from '@selfreview/shared/logger';
import {
  currentProcess,
  ownerLiveness,
  type ProcessIdentity,
  parseIdentity,
} from '@selfreview/shared/process-identity';

/** The hold's expiry, and how often its holder renews it. */
const REPO_LOCK_TTL_MS = 20_000;
const REPO_LOCK_RENEW_MS = 5_000;

export type HeldRepoLock = { release: () => Promise<void> };

/** What a batch claims: `slots` is its repository's `fix.concurrency`, `files` the files it may change. */
export type BatchClaim = Readonly<{ slots: number; files: readonly string[] }>;

/** One batch per repository at a time, touching any file: what a batch claims without saying. */
const WHOLE_REPOSITORY: BatchClaim = { slots: 1, files: [] };

/** The hold, renewed until released; null while other batches hold the slots or one of the files. */
export async function holdRepoLock(
  locks: RepoLock,
  repoRoot: string,
  batchId: string,
  token: string | undefined,
  log: Logger,
  claim: BatchClaim = WHOLE_REPOSITORY,
): Promise<HeldRepoLock | null> {
  const owner = lockOwner(batchId, token);
  const full = { ...claim, ttlMs: REPO_LOCK_TTL_MS };
  const refused = await takeRepoLock(locks, repoRoot, owner, batchId, full);
  if (refused) {
    log.debug({ refused }, 'repository slot or files not free');
    return null;
  }
  const heartbeat = renewWhileRunning(locks, repoRoot, owner, full, log);
  return {
    release: async () => {
      clearInterval(heartbeat);
      await locks.release(repoRoot, owner, claim.files);
    },
  };
}

/** A lock value naming the batch, the job attempt and the process: `<batch>:<token>@<process JSON>`. */
function lockOwner(batchId: string, token: string | undefined): string {
  return `${batchId}:${token ?? 'manual'}@${JSON.stringify(currentProcess())}`;
}

/** The process a lock value names; null for a value without one. */
function lockHolderProcess(holder: string): ProcessIdentity | null {
  const at = holder.indexOf('@');
  if (at < 0) return null;
  try {
    return parseIdentity(JSON.parse(holder.slice(at + 1)));
  } catch {
    return null;
  }
}

/**
 * Takes a slot and the files, taking over from holders known to be gone: an earlier attempt of
 * the same batch (BullMQ hands a job on only when its worker stopped renewing the job's lock),
 * or a process of this host that no longer runs. Waiting for what they held to expire would only
 * delay the repository. Null when taken, else why not.
 */
async function takeRepoLock(
  locks: RepoLock,
  repoRoot: string,
  owner: string,
  batchId: string,
  claim: BatchClaim & { ttlMs: number },
): Promise<ClaimRefused | null> {
  const refused = await locks.acquire(repoRoot, owner, claim);
  if (!refused) return null;
  const held = await locks.holders(repoRoot, claim.files);
  const gone = [...new Set([...held.slots, ...held.files])].filter(
    (holder): holder is string => holder !== null && holder !== owner && isGone(holder, batchId),
  );
  return gone.length > 0 ? locks.acquire(repoRoot, owner, claim, gone) : refused;
}

function isGone(holder: string, batchId: string): boolean {
  if (holder.startsWith(`${batchId}:`)) return true;
  const holderProcess = lockHolderProcess(holder);
  return holderProcess !== null && ownerLiveness(holderProcess) === 'dead';
}

function renewWhileRunning(
  locks: RepoLock,
  repoRoot: string,
  owner: string,
  claim: BatchClaim & { ttlMs: number },
  log: Logger,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    locks
      .renew(repoRoot, owner, claim.files, claim.ttlMs)
      .then(async (ok) => {
        // Lost (Redis restarted, or the hold expired while the process was stalled): take it
        // again if it is free, and say so when someone else has it.
        if (ok) return;
        const refused = await locks.acquire(repoRoot, owner, claim);
        if (refused)
          log.warn(
            { refused, holders: await locks.holders(repoRoot, claim.files) },
            'repository slot or files lost to another holder',
          );
      })
      .catch((err: Error) => log.warn({ err: err.message }, 'repository lock not renewed'));
  }, REPO_LOCK_RENEW_MS);
  timer.unref();
  return timer;
}
