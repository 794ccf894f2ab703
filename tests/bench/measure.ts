/**
 * Runs one command as a child process and measures it: wall time and peak memory of the whole
 * process tree, read from Linux's /proc.
 *
 * What is measured:
 * - `wallMs`: from just before `spawn` to the child's `exit` event (process start-up included).
 * - `peakTreeRssBytes`: every ~20 ms the tree is walked (the child and, recursively, every process
 *   whose parent is in the tree) and the VmRSS of its processes summed; this is the largest sum.
 *   Threads share one address space, so a multi-threaded process counts once. Pages shared between
 *   processes (the node binary, shared libraries) are counted once per process. A spike shorter
 *   than the sampling interval can be missed.
 * - `sumPeakHwmBytes`: VmHWM (the kernel's own peak RSS of a process) of every process seen in the
 *   tree, as read at its last sample before it exited, summed. It catches spikes between samples;
 *   for a tree of several processes it is an upper bound, as their peaks need not coincide. For a
 *   single process it is the exact peak, missing at most the last ~20 ms of its life.
 * - `cpuMs`: user + system time (/proc/<pid>/stat utime + stime, all threads) of every process
 *   seen, as last read before it exited. Less sensitive than wall time to other work on the
 *   machine; it misses up to ~20 ms per thread at the end, and very short-lived descendants.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export type MeasureOptions = {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The whole process group is killed when the command runs longer than this. */
  timeoutMs: number;
  sampleIntervalMs?: number;
};

export type ProcessMeasurement = {
  command: string[];
  cwd: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallMs: number;
  peakTreeRssBytes: number;
  sumPeakHwmBytes: number;
  cpuMs: number;
  /** Distinct processes seen in the tree over the run. */
  processesSeen: number;
  samples: number;
  stdout: string;
  stderr: string;
};

export class MeasureError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MeasureError';
  }
}

/** Process groups of children still running, so an interrupted benchmark can kill them. */
const runningGroups = new Set<number>();

export function killRunningChildren(): void {
  for (const pgid of runningGroups) killGroup(pgid, 'SIGKILL');
  runningGroups.clear();
}

export function assertProcSupported(): void {
  if (process.platform !== 'linux' || !existsSync('/proc/self/status')) {
    throw new MeasureError('memory measurement reads /proc and needs Linux');
  }
}

export async function measureProcess(
  command: string,
  args: string[],
  options: MeasureOptions,
): Promise<ProcessMeasurement> {
  assertProcSupported();
  const interval = options.sampleIntervalMs ?? 20;
  const start = performance.now();
  // detached: the child leads a new process group, so a timeout can kill its descendants too.
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));

  const pid = child.pid;
  if (pid === undefined) {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new MeasureError(`could not start ${command}: ${err.message}`, { cause: err });
  }
  runningGroups.add(pid);

  const tracker = new TreeTracker(pid);
  tracker.sample();
  const sampler = setInterval(() => tracker.sample(), interval);

  let timedOut = false;
  let hardKill: NodeJS.Timeout | undefined;
  const timeout = setTimeout(() => {
    timedOut = true;
    killGroup(pid, 'SIGTERM');
    hardKill = setTimeout(() => killGroup(pid, 'SIGKILL'), 5_000);
  }, options.timeoutMs);

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, sig) => resolve([code, sig])),
  );
  const wallMs = performance.now() - start;
  clearInterval(sampler);
  clearTimeout(timeout);
  clearTimeout(hardKill);
  // Descendants left behind would keep the pipes open (and skew the next measurement).
  killGroup(pid, 'SIGKILL');
  runningGroups.delete(pid);
  await Promise.race([closed, delay(10_000)]);
  child.stdout.destroy();
  child.stderr.destroy();

  return {
    command: [command, ...args],
    cwd: options.cwd,
    exitCode,
    signal,
    timedOut,
    wallMs,
    peakTreeRssBytes: tracker.peakTreeRss,
    sumPeakHwmBytes: tracker.sumPeakHwm(),
    cpuMs: tracker.cpuMs(),
    processesSeen: tracker.hwmByPid.size,
    samples: tracker.samples,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
  };
}

/** /proc/<pid>/stat counts CPU time in USER_HZ ticks, 100 per second on Linux. */
const TICK_MS = 10;

class TreeTracker {
  peakTreeRss = 0;
  samples = 0;
  /** Largest VmHWM read per pid; a pid's last read is its peak up to ~one interval before exit. */
  readonly hwmByPid = new Map<number, number>();
  private readonly cpuTicksByPid = new Map<number, number>();

  constructor(private readonly root: number) {}

  sample(): void {
    let sum = 0;
    for (const { pid, cpuTicks } of treeOf(this.root)) {
      this.cpuTicksByPid.set(pid, Math.max(this.cpuTicksByPid.get(pid) ?? 0, cpuTicks));
      const status = readMemory(pid);
      if (status === undefined) continue;
      sum += status.rss;
      this.hwmByPid.set(pid, Math.max(this.hwmByPid.get(pid) ?? 0, status.hwm));
    }
    this.samples += 1;
    this.peakTreeRss = Math.max(this.peakTreeRss, sum);
  }

  sumPeakHwm(): number {
    let sum = 0;
    for (const hwm of this.hwmByPid.values()) sum += hwm;
    return sum;
  }

  cpuMs(): number {
    let ticks = 0;
    for (const t of this.cpuTicksByPid.values()) ticks += t;
    return ticks * TICK_MS;
  }
}

type ProcStat = { pid: number; parent: number; cpuTicks: number };

/**
 * The root and all its descendants, from the parent pid in every /proc/<pid>/stat (about 1 ms for
 * a hundred processes). /proc/<pid>/task/<tid>/children would be cheaper but needs a kernel built
 * with CONFIG_PROC_CHILDREN, which some kernels (the development VM's included) lack.
 */
function treeOf(root: number): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  let rootStat: ProcStat | undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat === undefined) continue;
    if (stat.pid === root) rootStat = stat;
    const siblings = byParent.get(stat.parent);
    if (siblings) siblings.push(stat);
    else byParent.set(stat.parent, [stat]);
  }
  if (rootStat === undefined) return [];
  const tree: ProcStat[] = [];
  const queue = [rootStat];
  while (queue.length > 0) {
    const stat = queue.pop()!;
    tree.push(stat);
    queue.push(...(byParent.get(stat.pid) ?? []));
  }
  return tree;
}

function readStat(pid: string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited while we listed /proc
  }
  // "pid (comm) state ppid ... utime stime ...": comm may hold spaces and parentheses, so the
  // fields are counted from the last ')'; utime and stime are fields 14 and 15 of proc(5).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid: Number(pid), parent: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/** VmRSS and VmHWM in bytes; undefined once the process is gone (or a zombie without memory). */
function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(text);
  if (!rss || !hwm) return undefined;
  return { rss: Number(rss[1]) * 1024, hwm: Number(hwm[1]) * 1024 };
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * The share of CPU time spent idle over `ms` milliseconds, from /proc/stat: other work on the
 * machine lengthens wall times, and on some VMs the load average does not show it.
 */
export async function idleShare(ms = 1_000): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? (after.idle - before.idle) / total : 1;
}

function cpuTimes(): { idle: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // "cpu user nice system idle iowait irq softirq steal ...": idle and iowait are idle time.
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { idle: (ticks[3] ?? 0) + (ticks[4] ?? 0), total: ticks.reduce((a, b) => a + b, 0) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
