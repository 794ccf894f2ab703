import { describe, expect, it } from 'vitest';
import { scheduleProblem } from '../src/cron-schedule.ts';

/** A fixed "now", so a schedule's next run does not depend on the day the test runs. */
const NOW = Date.UTC(2026, 0, 1);

describe('scheduleProblem', () => {
  it.each([
    ['0 3 * * *', undefined],
    ['0 3 * * *', 'Europe/Berlin'],
    ['0 3 * * *', 'UTC'],
    ['0 3 * * *', 'utc'],
    ['0 3 * * mon', 'America/New_York'],
    ['*/30 * * * * *', undefined],
    ['0 0 29 2 *', undefined],
    ['0 0 L * *', undefined],
    // An empty time zone is no time zone, as the gateway reads it.
    ['0 3 * * *', ''],
    [undefined, 'Asia/Tokyo'],
    [undefined, undefined],
  ])('accepts %j in %j', (schedule, timezone) => {
    expect(scheduleProblem(schedule, timezone, NOW)).toBeNull();
  });

  it.each([
    ['61 3 * * *', 'BullMQ cannot run "61 3 * * *": Constraint error, got value 61 expected range 0-59'],
    ['0 3 32 * *', 'BullMQ cannot run "0 3 32 * *": Constraint error, got value 32 expected range 1-31'],
    ['0 3 * * 8', 'BullMQ cannot run "0 3 * * 8": Constraint error, got value 8 expected range 0-7'],
    ['0 0 30 2 *', 'BullMQ cannot run "0 0 30 2 *": Invalid explicit day of month definition'],
    ['0 0 1W 2 *', 'BullMQ cannot run "0 0 1W 2 *": Invalid characters, got value: 1W'],
    ['* * * * * * *', 'BullMQ cannot run "* * * * * * *": Invalid cron expression, too many fields'],
    // Parses, but February and April never have a 31st.
    ['0 0 31 2,4 *', '"0 0 31 2,4 *" never comes: BullMQ finds no next time'],
  ])('refuses the schedule %j', (schedule, message) => {
    expect(scheduleProblem(schedule, undefined, NOW)).toEqual({ field: 'schedule', message });
  });

  it.each(['Mars/Olympus', 'Europe/Berlinn', 'GMT+25'])(
    'refuses the time zone %j, with or without a schedule',
    (tz) => {
      const problem = {
        field: 'timezone',
        message: `unknown time zone "${tz}": expected an IANA name such as "Europe/Berlin" or "UTC"`,
      };
      expect(scheduleProblem('0 3 * * *', tz, NOW)).toEqual(problem);
      expect(scheduleProblem(undefined, tz, NOW)).toEqual(problem);
    },
  );

  it('names the time zone first when both are wrong: the schedule cannot be judged without it', () => {
    expect(scheduleProblem('61 3 * * *', 'Mars/Olympus', NOW)?.field).toBe('timezone');
  });
});
