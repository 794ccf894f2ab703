/** A run's wall time, and the CPU time and peak memory of the processes it starts, read from /proc. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export type Timing = { wallMs: number; cpuMs: number; peakRssBytes: number };

export function describe(t: Timing): string {
  return `${seconds(t.wallMs)} / ${seconds(t.cpuMs)}`;
}

/** /proc/<pid>/stat counts CPU time in USER_HZ ticks, 100 per second on Linux. */
const TICK_MS = 10;
/** /proc/<pid>/stat counts resident memory in pages. */
const PAGE_BYTES = pageSize();

function pageSize(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
}

type ProcSample = { pid: number; ticks: number; rssBytes: number };

/**
 * This process's descendants by pid with their user + system ticks and resident memory, from the
 * parent pid in every /proc/<pid>/stat. (The children's times of /proc/self/stat would not do:
 * bwrap's outer process never waits for the sandbox's, so those never reach it.)
 */
function descendantTicks(): Map<number, ProcSample> {
  const byParent = new Map<number, ProcSample[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while /proc was listed
    }
    // Fields counted from the last ')': the command name may hold anything.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    const list = byParent.get(parent) ?? [];
    // utime, stime and rss are fields 14, 15 and 24 of proc(5).
    list.push({
      pid: Number(entry),
      ticks: Number(fields[11]) + Number(fields[12]),
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    });
    byParent.set(parent, list);
  }
  const out = new Map<number, ProcSample>();
  const queue = [...(byParent.get(process.pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.pop() as ProcSample;
    out.set(p.pid, p);
    queue.push(...(byParent.get(p.pid) ?? []));
  }
  return out;
}

/**
 * `fn`'s wall time, and the CPU time (user + system) and largest summed RSS of the processes it
 * ran, sampled every 20 ms: a process's last ~20 ms, and one that lives less, are missed. Its own
 * work in this process is not counted.
 */
export async function timed<T>(fn: () => Promise<T>): Promise<Timing & { value: T }> {
  const before = new Map([...descendantTicks()].map(([pid, p]) => [pid, p.ticks]));
  const last = new Map<number, number>();
  let peakRssBytes = 0;
  const sample = () => {
    let rss = 0;
    for (const [pid, p] of descendantTicks()) {
      last.set(pid, Math.max(last.get(pid) ?? 0, p.ticks));
      rss += p.rssBytes;
    }
    peakRssBytes = Math.max(peakRssBytes, rss);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  try {
    const value = await fn();
    const wallMs = performance.now() - started;
    let ticks = 0;
    for (const [pid, t] of last) ticks += t - (before.get(pid) ?? 0);
    return { value, wallMs, cpuMs: ticks * TICK_MS, peakRssBytes };
  } finally {
    clearInterval(sampler);
  }
}
