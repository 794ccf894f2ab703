/**
 * What an apply job writes, in one MULTI (RunStore.putApplyResults), on the real test Redis:
 * decisions by candidate id, so a job that runs again after a crash overwrites its own and counts
 * nothing twice; fixable items by file, a file without any removed; the apply stage's time span;
 * and every key with the run's TTL.
 */
import { RunStore } from '@selfreview/shared/runs';
import type { Candidate, Decision } from '@selfreview/shared/schemas';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decision, fixItem, unusedImport } from './helpers/factories.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const RUN = 'r1-apply';
const RUN_TTL_S = 14 * 24 * 60 * 60;

/** fix: an unused import to remove; any other verdict: stale. */
const decide = (c: Candidate, verdict: Decision['verdict']): Decision =>
  verdict === 'fix'
    ? decision(c, 'fix', 'unused_import', { changeType: 'remove_unused_import' })
    : decision(c, verdict, 'stale');

let redis: Redis;
let prefix: string;
let runs: RunStore;

beforeAll(() => {
  redis = connect('producer');
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = uniquePrefix('apply-results');
  runs = new RunStore(redis, prefix);
});

afterEach(async () => {
  await cleanPrefix(redis, prefix);
});

describe('RunStore.putApplyResults', () => {
  const a = unusedImport('src/a.ts', 'x');
  const b = unusedImport('src/b.ts', 'y');
  const c = unusedImport('src/c.ts', 'z');

  it("records a group's decisions, fixable files and stage times; a job run again overwrites its own", async () => {
    await runs.putFixable(RUN, 'src/c.ts', [fixItem(c)]);
    const results = {
      decisions: [decide(a, 'fix'), decide(b, 'drop'), decide(c, 'drop')],
      fixable: new Map([
        ['src/a.ts', [fixItem(a)]],
        ['src/b.ts', []],
        ['src/c.ts', []],
      ]),
      startMs: 2000,
      endMs: 2500,
    };
    await runs.putApplyResults(RUN, results);
    // The same job again (its worker crashed before the job was marked done), a little later.
    await runs.putApplyResults(RUN, { ...results, startMs: 3000, endMs: 3100 });
    // Another group's job, earlier.
    const d = unusedImport('src/d.ts', 'w');
    await runs.putApplyResults(RUN, {
      decisions: [decide(d, 'fix')],
      fixable: new Map([['src/d.ts', [fixItem(d)]]]),
      startMs: 1500,
      endMs: 1900,
    });

    const decisions = (await runs.decisions(RUN)).sort((x, y) => x.candidateId.localeCompare(y.candidateId));
    expect(decisions).toEqual([decide(a, 'fix'), decide(b, 'drop'), decide(c, 'drop'), decide(d, 'fix')]);
    expect(await runs.fixable(RUN)).toEqual(
      new Map([
        ['src/a.ts', [fixItem(a)]],
        ['src/d.ts', [fixItem(d)]],
      ]),
    );
    expect((await runs.stageTimes(RUN)).apply).toEqual({ startMs: 1500, endMs: 3100 });
    for (const part of ['decisions', 'fixable', 'stages']) {
      const ttl = await redis.ttl(`${prefix}:run:{${RUN}}:${part}`);
      expect(ttl, part).toBeGreaterThan(0);
      expect(ttl, part).toBeLessThanOrEqual(RUN_TTL_S);
    }
  });

  it('writes only the stage times for a group with nothing decided', async () => {
    await runs.putApplyResults(RUN, { decisions: [], fixable: new Map(), startMs: 1, endMs: 2 });
    expect(await runs.decisions(RUN)).toEqual([]);
    expect(await runs.fixable(RUN)).toEqual(new Map());
    expect(await runs.stageTimes(RUN)).toEqual({ apply: { startMs: 1, endMs: 2 } });
  });
});
