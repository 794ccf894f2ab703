/**
 * Which process owns something on disk (a worktree, a lock file), told apart from a later
 * process that happens to get the same pid: the pid, its start time since boot, the boot
 * and the host. A marker whose process is gone (or whose machine rebooted) belongs to nobody.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export type ProcessIdentity = {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot); null where /proc is not there. */
  startTicks: string | null;
  /** /proc/sys/kernel/random/boot_id; null where /proc is not there. */
  bootId: string | null;
  host: string;
};

/** The start time field of a /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
export function startTicksFromStat(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // Fields after the name start at field 3 (state); start time is field 22.
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  return fields[19] ?? null;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Whether a /proc/<pid>/stat line is of a process that has ended: a zombie (Z) or one being
 * removed (X). A zombie keeps its pid until its parent reaps it, and an orphan's new parent may
 * never do so (a container's or a VM's init that does not reap), so it still answers signal 0.
 */
export function endedFromStat(stat: string): boolean {
  const close = stat.lastIndexOf(')');
  const state =
    close < 0
      ? ''
      : stat
          .slice(close + 1)
          .trim()
          .charAt(0);
  return state === 'Z' || state === 'X';
}

/** The start time of a running process, or null when there is no such process (or no /proc). */
export function processStartTicks(pid: number): string | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  return stat === null || endedFromStat(stat) ? null : startTicksFromStat(stat);
}

/** Whether a process with this pid exists and has not ended (a zombie counts as ended). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, it is only someone else's.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readOrNull(`/proc/${pid}/stat`);
  return stat === null || !endedFromStat(stat);
}

let self: ProcessIdentity | null = null;

export function currentProcess(): ProcessIdentity {
  self ??= {
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    bootId: readOrNull('/proc/sys/kernel/random/boot_id')?.trim() || null,
    host: os.hostname(),
  };
  return self;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

/**
 * Whether the process an identity names still runs, seen from `here`. Another host's process
 * is `unknown` (nothing here can tell), and callers treat that as alive: never remove what
 * might be in use.
 */
export function ownerLiveness(
  owner: ProcessIdentity,
  here: ProcessIdentity = currentProcess(),
  probe: { startTicks: (pid: number) => string | null; exists: (pid: number) => boolean } = {
    startTicks: processStartTicks,
    exists: isProcessRunning,
  },
): Liveness {
  if (owner.host !== here.host) return 'unknown';
  if (owner.bootId && here.bootId && owner.bootId !== here.bootId) return 'dead';
  if (owner.startTicks && here.startTicks) {
    const now = probe.startTicks(owner.pid);
    return now !== null && now === owner.startTicks ? 'alive' : 'dead';
  }
  return probe.exists(owner.pid) ? 'alive' : 'dead';
}

export function parseIdentity(value: unknown): ProcessIdentity | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.pid !== 'number' || typeof v.host !== 'string') return null;
  return {
    pid: v.pid,
    host: v.host,
    startTicks: typeof v.startTicks === 'string' ? v.startTicks : null,
    bootId: typeof v.bootId === 'string' ? v.bootId : null,
  };
}
