/** Readings around the load: the gateway's memory and CPU (/proc), Redis's CPU, what the pushes left. */
import { readFile } from 'node:fs/promises';
import { TRIGGER_QUEUE } from '@selfreview/shared/queues';
import { createQueue } from '@selfreview/shared/worker';
import type { Redis } from 'ioredis';
import type { TriggerFact } from './webhook-load.ts';

// ─── /proc ───────────────────────────────────────────────────────────────────────────────────────

export async function procStatus(pid: number): Promise<{ rss: number; hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** User + system CPU of a process (all threads); /proc counts 100 ticks a second on Linux. */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

/** VmRSS every 100 ms; the peak is the larger of that and the kernel's VmHWM at the end. */
export function sampleRss(pid: number): { stop: () => Promise<number> } {
  let peak = 0;
  const timer = setInterval(() => {
    procStatus(pid).then(
      (s) => {
        peak = Math.max(peak, s.rss);
      },
      () => undefined,
    );
  }, 100);
  return {
    stop: async () => {
      clearInterval(timer);
      return Math.max(peak, (await procStatus(pid)).hwm);
    },
  };
}

// ─── Redis ───────────────────────────────────────────────────────────────────────────────────────

export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (value('used_cpu_sys') + value('used_cpu_user')) * 1000;
}

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export async function deliveryIds(redis: Redis, prefix: string, runId: string): Promise<Set<string>> {
  const head = `${prefix}:delivery:github:`;
  const keys = await scanKeys(redis, `${head}${runId}-*`);
  return new Set(keys.map((k) => k.slice(head.length)));
}

/** Trigger jobs for the measured repository not yet taken by a worker (there is none here). */
export async function triggerJobs(redis: Redis, prefix: string): Promise<TriggerFact[]> {
  const queue = createQueue(TRIGGER_QUEUE, redis, prefix);
  try {
    const found: TriggerFact[] = [];
    for (const state of ['waiting', 'delayed', 'prioritized', 'active'] as const) {
      for (const job of await queue.getJobs([state])) {
        if (job?.data.repo.name !== 'web') continue;
        found.push({
          id: String(job.id),
          state,
          source: job.data.source ?? '',
          after: job.data.kind === 'push' ? (job.data.after ?? '') : '',
        });
      }
    }
    return found;
  } finally {
    // The connection is the caller's: close the queue, not the connection.
    await queue.close().catch(() => undefined);
  }
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, `${prefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}
