import type { MemoryRecord } from '@selfreview/shared/memory';
import type { Verdict } from './types.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * What earlier runs say about a finding, or undefined when they say nothing that stops it:
 * two failed fixes make it a person's job; a fix, a rejection (a pull request closed
 * unmerged) or a failure within the window keeps it from being proposed again.
 */
export function memoryVerdict(
  record: MemoryRecord | undefined,
  now: number,
  windowDays: number,
): Verdict | undefined {
  if (!record) return undefined;
  if (record.failures >= 2) {
    return {
      verdict: 'defer',
      reason: 'needs_human',
      detail: `Fixing this finding has failed ${record.failures} times; a person should look at it.`,
      confidence: 0.9,
    };
  }
  const ageDays = (now - record.at) / DAY_MS;
  if (ageDays <= windowDays) {
    const when = ageDays < 1 ? 'today' : `${Math.floor(ageDays)} day(s) ago`;
    const what = { fixed: 'was fixed', rejected: 'had its fix rejected', failed: 'failed to fix' }[
      record.outcome
    ];
    return {
      verdict: 'drop',
      reason: `recently_${record.outcome}`,
      detail: `This finding ${what} ${when}; it is not proposed again within ${windowDays} days.`,
      confidence: 0.9,
    };
  }
  return undefined;
}
