/**
 * Whether BullMQ can run a repository's schedule, decided when the configuration is read: a
 * schedule the configuration accepts must not fail later, at the gateway's start, when its job
 * scheduler is registered. The expression goes through BullMQ's own next-time function (cron
 * with its `tz` option, as the gateway's job schedulers pass it), so what is accepted here is
 * exactly what BullMQ will accept.
 */
import { getNextMillis } from 'bullmq';

export type ScheduleProblem = { field: 'schedule' | 'timezone'; message: string };

/** What is wrong with a schedule and its time zone, or null when BullMQ can run it. */
export function scheduleProblem(
  schedule: string | undefined,
  timezone: string | undefined,
  now: number = Date.now(),
): ScheduleProblem | null {
  // An empty time zone means none, as the gateway reads it.
  const tz = timezone ? timezone : undefined;
  // cron-parser's own error for an unknown zone names no zone ("unhandled timestamp"): say it here.
  if (tz !== undefined && !isKnownTimeZone(tz)) {
    return {
      field: 'timezone',
      message: `unknown time zone ${JSON.stringify(tz)}: expected an IANA name such as "Europe/Berlin" or "UTC"`,
    };
  }
  if (schedule === undefined) return null;
  const withoutZone = nextRun(schedule, undefined, now);
  if (typeof withoutZone === 'string') {
    return { field: 'schedule', message: `BullMQ cannot run ${JSON.stringify(schedule)}: ${withoutZone}` };
  }
  const next = tz === undefined ? withoutZone : nextRun(schedule, tz, now);
  if (typeof next === 'string') {
    return { field: 'timezone', message: `BullMQ cannot run the schedule in ${JSON.stringify(tz)}: ${next}` };
  }
  if (next === undefined) {
    return {
      field: 'schedule',
      message: `${JSON.stringify(schedule)} never comes: BullMQ finds no next time`,
    };
  }
  return null;
}

/** The next run as BullMQ computes it, or the parser's error message. */
function nextRun(pattern: string, tz: string | undefined, now: number): number | undefined | string {
  try {
    return getNextMillis(now, { pattern, ...(tz !== undefined ? { tz } : {}) });
  } catch (err) {
    return (err as Error).message;
  }
}

/** The test the cron parser's date library (luxon) makes of a zone name: does Intl know it? */
function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
