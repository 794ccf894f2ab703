/**
 * One batch per repository at a time: a short lock renewed while the batch runs, so a worker
 * that dies holding it delays the repository by one expiry, not by the batch's time limit.
 */
import type { RepoLock } from '@selfreview/shared/locks';
import type { Logger } from '@selfreview/shared/logger';
import {
  currentProcess,
  ownerLiveness,
  type ProcessIdentity,
  parseIdentity,
} from '@selfreview/shared/process-identity';

/** A repository lock's expiry, and how often its holder renews it. */
const REPO_LOCK_TTL_MS = 20_000;
const REPO_LOCK_RENEW_MS = 5_000;

export type HeldRepoLock = { release: () => Promise<void> };

/** The lock, renewed until released; null while another batch holds it. */
export async function holdRepoLock(
  locks: RepoLock,
  repoRoot: string,
  batchId: string,
  token: string | undefined,
  log: Logger,
): Promise<HeldRepoLock | null> {
  const owner = lockOwner(batchId, token);
  if (!(await takeRepoLock(locks, repoRoot, owner, batchId))) return null;
  const heartbeat = renewWhileRunning(locks, repoRoot, owner, log);
  return {
    release: async () => {
      clearInterval(heartbeat);
      await locks.release(repoRoot, owner);
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
 * Takes the repository's lock, or takes it over when its holder is known to be gone: an
 * earlier attempt of the same batch (BullMQ hands a job on only when its worker stopped
 * renewing the job's lock), or a process of this host that no longer runs. Waiting for such a
 * lock to expire would only delay the repository.
 */
async function takeRepoLock(
  locks: RepoLock,
  repoRoot: string,
  owner: string,
  batchId: string,
): Promise<boolean> {
  if (await locks.acquire(repoRoot, owner, REPO_LOCK_TTL_MS)) return true;
  const holder = await locks.holder(repoRoot);
  if (holder === null) return locks.acquire(repoRoot, owner, REPO_LOCK_TTL_MS);
  const holderProcess = lockHolderProcess(holder);
  const gone =
    holder.startsWith(`${batchId}:`) || (holderProcess !== null && ownerLiveness(holderProcess) === 'dead');
  return gone && holder !== owner ? locks.takeOver(repoRoot, holder, owner, REPO_LOCK_TTL_MS) : false;
}

function renewWhileRunning(locks: RepoLock, repoRoot: string, owner: string, log: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    locks
      .renew(repoRoot, owner, REPO_LOCK_TTL_MS)
      .then(async (ok) => {
        // Lost (Redis restarted, or the lock expired while the process was stalled): take it
        // again if it is free, and say so when someone else has it.
        if (!ok && !(await locks.acquire(repoRoot, owner, REPO_LOCK_TTL_MS)))
          log.warn({ holder: await locks.holder(repoRoot) }, 'repository lock lost to another holder');
      })
      .catch((err: Error) => log.warn({ err: err.message }, 'repository lock not renewed'));
  }, REPO_LOCK_RENEW_MS);
  timer.unref();
  return timer;
}
