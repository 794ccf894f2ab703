/**
 * Where a run's state lives in Redis. The run store (what the stages recorded) and the
 * coordinator (which jobs are open, who hands over, who finishes) keep different keys of one
 * run; both name them here, so the two halves cannot drift apart.
 */

/** How long a run's keys live in Redis. */
export const RUN_TTL_S = 14 * 24 * 60 * 60;

/** One key of a run. The hash tag keeps all of a run's keys in one slot, for Redis Cluster. */
export function runKey(prefix: string, runId: string, part: string): string {
  return `${prefix}:run:{${runId}}:${part}`;
}
