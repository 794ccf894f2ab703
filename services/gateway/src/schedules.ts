/**
 * Full scans on a schedule, through BullMQ job schedulers on the trigger queue: one scheduler
 * per repository with a `schedule`, named `schedule:<name>`. Synchronising at start-up makes
 * the configuration the truth: a changed cron is updated, a removed one is removed.
 */
import type { Logger } from '@selfreview/shared/logger';
import type { TriggerJob } from '@selfreview/shared/queues';
import { repoTarget, type ServerConfig } from '@selfreview/shared/server-config';
import type { Queue } from 'bullmq';

const SCHEDULER_PREFIX = 'schedule:';

export type ScheduleSync = { upserted: string[]; removed: string[] };

export async function syncSchedules(
  triggerQueue: Queue<TriggerJob>,
  config: ServerConfig,
  log?: Logger,
): Promise<ScheduleSync> {
  const wanted = config.repositories.filter((r) => r.schedule);
  const upserted: string[] = [];
  for (const repo of wanted) {
    const id = `${SCHEDULER_PREFIX}${repo.name}`;
    await triggerQueue.upsertJobScheduler(
      id,
      { pattern: repo.schedule as string, ...(repo.timezone ? { tz: repo.timezone } : {}) },
      {
        name: 'scheduled-scan',
        data: {
          kind: 'schedule',
          repo: repoTarget(repo),
          source: id,
          ...(config.notify ? { notifyEnv: config.notify.webhookUrlEnv } : {}),
        },
      },
    );
    upserted.push(id);
  }
  const keep = new Set(upserted);
  const removed: string[] = [];
  for (const scheduler of await triggerQueue.getJobSchedulers(0, -1)) {
    const id = scheduler.key;
    if (id.startsWith(SCHEDULER_PREFIX) && !keep.has(id)) {
      await triggerQueue.removeJobScheduler(id);
      removed.push(id);
    }
  }
  log?.info({ upserted, removed }, 'schedules synchronised');
  return { upserted, removed };
}
