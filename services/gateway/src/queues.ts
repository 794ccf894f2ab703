/**
 * The gateway's handle on every queue of the catalog, and how many jobs each holds by state:
 * what the API's `/queues` and `/metrics` both report, so the two never count differently.
 */
import type { AnyQueueName, JobPayload } from '@selfreview/shared/queues';
import type { JobType, Queue } from 'bullmq';

export type GatewayQueues = { [Q in AnyQueueName]: Queue<JobPayload<Q>> };

/** The states an operator cares about. BullMQ's types no longer list `paused`, but it still counts it. */
export const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'paused',
  'completed',
  'failed',
] as const;
export type JobCounts = Record<(typeof JOB_STATES)[number], number>;

export async function jobCounts(queue: Queue): Promise<JobCounts> {
  const counts = await queue.getJobCounts(...(JOB_STATES as readonly string[] as JobType[]));
  return Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as JobCounts;
}
