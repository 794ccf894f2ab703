/**
 * A run's state on the real test Redis: the coordinator's open-job bookkeeping
 * (RunLifecycle) that decides when a run has drained and who hands it over to
 * fix, and the stage outputs RunStore keeps under each run (validated by the
 * schemas when read back), all with a TTL.
 */

import { RunLifecycle, type RunProgress } from '@selfreview/shared/coordinator';
import { RunStore } from '@selfreview/shared/runs';
import type { Decision, FixItem } from '@selfreview/shared/schemas';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decision, fixItem, fixResult, runMeta, todoComment, unusedImport } from './helpers/factories.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const RUN = 'r1-abc';
const RUN_TTL_S = 14 * 24 * 60 * 60;

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));

let redis: Redis;
let other: Redis;
let prefix: string;
let runs: RunStore;
let lifecycle: RunLifecycle;

beforeAll(() => {
  redis = connect('producer');
  // A second connection, so "concurrent" closes really are separate clients.
  other = connect('producer');
});

afterAll(async () => {
  await redis.quit();
  await other.quit();
});

beforeEach(() => {
  prefix = uniquePrefix('runs');
  runs = new RunStore(redis, prefix);
  lifecycle = new RunLifecycle(redis, prefix);
});

afterEach(async () => {
  await cleanPrefix(redis, prefix);
});

describe('RunStore', () => {
  it('create and meta', async () => {
    expect(await runs.meta(RUN)).toBeNull();
    await runs.create(runMeta(RUN));
    expect(await runs.meta(RUN)).toEqual(runMeta(RUN));
    await runs.setMeta(RUN, { fixBatches: 3, note: 'x' });
    expect(await runs.meta(RUN)).toEqual({ ...runMeta(RUN), fixBatches: '3', note: 'x' });
    // Another run, and the same run under another prefix, are separate.
    expect(await runs.meta('r2-def')).toBeNull();
    expect(await new RunStore(redis, `${prefix}-other`).meta(RUN)).toBeNull();
  });

  it('only the close of the last open scan/apply job claims the hand-over', async () => {
    await runs.create(runMeta(RUN));
    await lifecycle.openJobs(RUN, 'scan', ['scan-1']);
    await lifecycle.openJobs(RUN, 'apply', ['apply-1', 'apply-2', 'apply-3']);
    await lifecycle.openJobs(RUN, 'apply', []);
    expect((await lifecycle.progress(RUN)).open).toEqual({ scan: 1, apply: 3, fix: 0, publish: 0 });

    expect(await lifecycle.closeAndClaimHandOver(RUN, 'apply', 'apply-1')).toBe(false);
    expect(await lifecycle.closeAndClaimHandOver(RUN, 'apply', 'apply-2')).toBe(false);
    expect(await lifecycle.closeAndClaimHandOver(RUN, 'apply', 'apply-3')).toBe(false);
    expect((await lifecycle.progress(RUN)).flushing).toBe(false);
    expect(await lifecycle.closeAndClaimHandOver(RUN, 'scan', 'scan-1')).toBe(true);
    const p = await lifecycle.progress(RUN);
    expect(p.open).toEqual({ scan: 0, apply: 0, fix: 0, publish: 0 });
    expect(p.flushing).toBe(true);
  });

  it('of two concurrent closes of the last two jobs, exactly one claims the hand-over', async () => {
    const others = new RunLifecycle(other, prefix);
    for (let round = 0; round < 20; round++) {
      const runId = `r${round}-concurrent`;
      await runs.create(runMeta(runId));
      await lifecycle.openJobs(runId, 'scan', ['scan-1']);
      await lifecycle.openJobs(runId, 'apply', ['apply-1', 'apply-2', 'apply-3']);
      expect(await lifecycle.closeAndClaimHandOver(runId, 'scan', 'scan-1')).toBe(false);
      expect(await lifecycle.closeAndClaimHandOver(runId, 'apply', 'apply-1')).toBe(false);
      const claims = await Promise.all([
        lifecycle.closeAndClaimHandOver(runId, 'apply', 'apply-2'),
        others.closeAndClaimHandOver(runId, 'apply', 'apply-3'),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await lifecycle.progress(runId)).flushing).toBe(true);
    }
  });

  it('progress and isDrained: not drained while flushing or while any job is open', async () => {
    await runs.create(runMeta(RUN));
    await lifecycle.openJobs(RUN, 'scan', ['scan-1']);
    expect(RunLifecycle.isDrained(await lifecycle.progress(RUN))).toBe(false);

    await runs.putCandidates(RUN, [unusedImport('a.ts', 'x'), todoComment('b.ts', 'later')], 7);
    await lifecycle.openJobs(RUN, 'apply', ['apply-a', 'apply-b']);
    // The scan job closes after enqueueing apply: the run is not drained, nobody claims.
    expect(await lifecycle.closeAndClaimHandOver(RUN, 'scan', 'scan-1')).toBe(false);
    await runs.putDecisions(RUN, [
      decision(unusedImport('a.ts', 'x'), 'fix', 'unused_import', { detail: 'd', confidence: 1 }),
    ]);
    expect(await lifecycle.closeAndClaimHandOver(RUN, 'apply', 'apply-a')).toBe(false);
    expect(await lifecycle.closeAndClaimHandOver(RUN, 'apply', 'apply-b')).toBe(true);

    let p = await lifecycle.progress(RUN);
    expect(p).toEqual({
      open: { scan: 0, apply: 0, fix: 0, publish: 0 },
      flushing: true,
      files: 7,
      candidates: 2,
      decisions: 1,
      fixResults: 0,
    });
    expect(RunLifecycle.isDrained(p)).toBe(false);

    // The hand-over opens fix jobs before it clears the marker.
    await lifecycle.openJobs(RUN, 'fix', ['b-1']);
    await lifecycle.handOverDone(RUN);
    p = await lifecycle.progress(RUN);
    expect(p.flushing).toBe(false);
    expect(p.open.fix).toBe(1);
    expect(RunLifecycle.isDrained(p)).toBe(false);

    // The fix job hands its commit to the publisher before it closes: the run waits for both.
    await runs.putFixResults(RUN, [fixResult('b-1', 'a.ts', 'committed')]);
    await lifecycle.openJobs(RUN, 'publish', ['b-1-publish']);
    await lifecycle.closeJob(RUN, 'fix', 'b-1');
    p = await lifecycle.progress(RUN);
    expect(p.fixResults).toBe(1);
    expect(p.open.publish).toBe(1);
    expect(RunLifecycle.isDrained(p)).toBe(false);
    await lifecycle.closeJob(RUN, 'publish', 'b-1-publish');
    expect(RunLifecycle.isDrained(await lifecycle.progress(RUN))).toBe(true);
  });

  it('isDrained looks at every open set and the flushing marker', () => {
    const base: RunProgress = {
      open: { scan: 0, apply: 0, fix: 0, publish: 0 },
      flushing: false,
      files: 0,
      candidates: 0,
      decisions: 0,
      fixResults: 0,
    };
    expect(RunLifecycle.isDrained(base)).toBe(true);
    expect(RunLifecycle.isDrained({ ...base, flushing: true })).toBe(false);
    for (const stage of ['scan', 'apply', 'fix', 'publish'] as const) {
      expect(RunLifecycle.isDrained({ ...base, open: { ...base.open, [stage]: 1 } })).toBe(false);
    }
  });

  it('putCandidates is idempotent and overwrites', async () => {
    await runs.create(runMeta(RUN));
    const cands = [unusedImport('a.ts', 'x'), unusedImport('a.ts', 'y'), todoComment('dir/b.ts', 'refactor')];
    await runs.putCandidates(RUN, cands, 10);
    await runs.putCandidates(RUN, cands, 10);
    expect(byId(await runs.candidates(RUN))).toEqual(byId(cands));
    expect(await lifecycle.progress(RUN)).toMatchObject({ files: 10, candidates: 3 });

    // A retried scan that found less replaces, never appends.
    await runs.putCandidates(RUN, [cands[0]!], 9);
    expect(await runs.candidates(RUN)).toEqual([cands[0]]);
    expect(await lifecycle.progress(RUN)).toMatchObject({ files: 9, candidates: 1 });
    await runs.putCandidates(RUN, [], 9);
    expect(await runs.candidates(RUN)).toEqual([]);
    expect(await lifecycle.progress(RUN)).toMatchObject({ files: 9, candidates: 0 });
  });

  it('decisions, fixable items and fix results round-trip through the schemas', async () => {
    await runs.create(runMeta(RUN));
    const decisions: Decision[] = [
      {
        candidateId: 'unused-import:a.ts:x',
        verdict: 'fix',
        reason: 'unused_import',
        detail: 'x is never used',
        confidence: 0.9,
        changeType: 'remove_unused_import',
      },
      {
        candidateId: 'todo-comment:b.ts:later',
        verdict: 'defer',
        reason: 'planned_todo',
        detail: 'a planned change',
        confidence: 0.5,
        todoClass: 'planned',
      },
    ];
    await runs.putDecisions(RUN, decisions);
    await runs.putDecisions(RUN, []);
    await runs.putDecisions(RUN, [decisions[0]!]);
    const back = (await runs.decisions(RUN)).sort((a, b) => a.candidateId.localeCompare(b.candidateId));
    expect(back).toEqual([...decisions].sort((a, b) => a.candidateId.localeCompare(b.candidateId)));

    const items: FixItem[] = [
      fixItem(unusedImport('a.ts', 'x')),
      fixItem(unusedImport('a.ts', 'y'), { confidence: 0.8 }),
    ];
    await runs.putFixable(RUN, 'a.ts', items);
    await runs.putFixable(RUN, 'dir/c.ts', [items[0]!]);
    expect(await runs.fixable(RUN)).toEqual(
      new Map([
        ['a.ts', items],
        ['dir/c.ts', [items[0]]],
      ]),
    );
    await runs.putFixable(RUN, 'dir/c.ts', []);
    expect([...(await runs.fixable(RUN)).keys()]).toEqual(['a.ts']);

    const results = [fixResult('b-1', 'a.ts', 'committed'), fixResult('b-2', 'c.ts', 'failed')];
    await runs.putFixResults(RUN, results);
    // Keyed by batch and file: a retried batch overwrites its own result.
    await runs.putFixResults(RUN, [fixResult('b-2', 'c.ts', 'carried_over')]);
    const fixes = (await runs.fixResults(RUN)).sort((a, b) => a.batchId.localeCompare(b.batchId));
    expect(fixes).toEqual([results[0], fixResult('b-2', 'c.ts', 'carried_over')]);
  });

  it('reading back rejects stored data that does not match the schema', async () => {
    await runs.create(runMeta(RUN));
    await redis.hset(
      `${prefix}:run:{${RUN}}:decisions`,
      'x',
      JSON.stringify({ candidateId: 'x', verdict: 'maybe' }),
    );
    await expect(runs.decisions(RUN)).rejects.toThrow();
    await redis.hset(
      `${prefix}:run:{${RUN}}:candidates`,
      'x',
      JSON.stringify({ id: 'x', rule: 'no-such-rule' }),
    );
    await expect(runs.candidates(RUN)).rejects.toThrow();
  });

  it('warnings are deduplicated and sorted', async () => {
    await runs.addWarnings(RUN, ['b: skipped, too large', 'a: not utf-8', 'b: skipped, too large']);
    await runs.addWarnings(RUN, ['a: not utf-8']);
    await runs.addWarnings(RUN, []);
    expect(await runs.warnings(RUN)).toEqual(['a: not utf-8', 'b: skipped, too large']);
    expect(await runs.warnings('r9-none')).toEqual([]);
  });

  it('markStage keeps the earliest start and the latest end', async () => {
    await runs.markStage(RUN, 'scan', 1000, 2000);
    await runs.markStage(RUN, 'scan', 500, 1500);
    await runs.markStage(RUN, 'scan', 800, 3000);
    await runs.markStage(RUN, 'apply', 2000, 2500);
    // Concurrent jobs, each earlier than the recorded start: the earliest start and latest end win.
    await runs.markStage(RUN, 'fix', 4000, 4050);
    await Promise.all([
      runs.markStage(RUN, 'fix', 3950, 4100),
      runs.markStage(RUN, 'fix', 3900, 5000),
      runs.markStage(RUN, 'fix', 3990, 4600),
    ]);
    expect(await runs.stageTimes(RUN)).toEqual({
      scan: { startMs: 500, endMs: 3000 },
      apply: { startMs: 2000, endMs: 2500 },
      fix: { startMs: 3900, endMs: 5000 },
    });
    expect(await runs.stageTimes('r9-none')).toEqual({});
  });

  it('every key of a run expires', async () => {
    await runs.create(runMeta(RUN));
    await lifecycle.openJobs(RUN, 'scan', ['scan-1']);
    await runs.putCandidates(RUN, [unusedImport('a.ts', 'x')], 1);
    await runs.putDecisions(RUN, [
      decision(unusedImport('a.ts', 'x'), 'fix', 'unused_import', { detail: 'd', confidence: 1 }),
    ]);
    await runs.putFixable(RUN, 'a.ts', [fixItem(unusedImport('a.ts', 'x'), { confidence: 1 })]);
    await runs.putFixResults(RUN, [fixResult('b-1', 'a.ts', 'committed')]);
    await runs.addWarnings(RUN, ['w']);
    await runs.markStage(RUN, 'scan', 1, 2);
    expect(await lifecycle.closeAndClaimHandOver(RUN, 'scan', 'scan-1')).toBe(true);
    await lifecycle.openJobs(RUN, 'apply', ['apply-1']);
    await lifecycle.openJobs(RUN, 'fix', ['b-1']);
    await runs.setMeta(RUN, { fixBatches: 1 });

    const keys: string[] = [];
    let cursor = '0';
    for (let i = 0; i < 100; i++) {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
      if (cursor === '0') break;
    }
    // The index of recent runs is the one key outside the run's own hash tag.
    expect(keys).toContain(`${prefix}:runs`);
    const parts = keys
      .filter((k) => k !== `${prefix}:runs`)
      .map((k) => k.slice(`${prefix}:run:{${RUN}}:`.length))
      .sort();
    expect(parts).toEqual(
      [
        'candidates',
        'decisions',
        'fixable',
        'fixes',
        'flushing',
        'meta',
        'open:apply',
        'open:fix',
        'stages',
        'warnings',
      ].sort(),
    );
    for (const key of keys) {
      const ttl = await redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(RUN_TTL_S);
    }
  });
});
