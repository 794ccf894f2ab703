/** The journal of runs on disk against a real Redis: what a restart without persistence loses is reported, not forgotten. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOST_RUN_REASON, RunJournal, reconcileJournal } from '@selfreview/shared/run-journal';
import { type RunMeta, RunStore, startedAtFromRunId } from '@selfreview/shared/runs';
import { afterAll, describe, expect, it } from 'vitest';
import { runMeta } from './helpers/factories.ts';
import { removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const meta = (runId: string, startedAt = new Date().toISOString()): RunMeta =>
  runMeta(runId, { repoPath: '/repo', startedAt });

describe('RunJournal and reconcileJournal', () => {
  const prefix = uniquePrefix('journal');
  const redis = connect();
  const dirs: string[] = [];
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    for (const d of dirs) await removeDir(d);
  });

  it('records, lists and forgets runs; skips entries it cannot read', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const journal = new RunJournal(dataDir);
    expect(await journal.list()).toEqual([]);
    await journal.record(meta('r-2'));
    await journal.record(meta('r-1'));
    await writeFile(path.join(dataDir, 'journal', 'broken.json'), '{ not json');
    expect((await journal.list()).map((m) => m.runId)).toEqual(['r-1', 'r-2']);
    await journal.forget('r-1');
    expect((await journal.list()).map((m) => m.runId)).toEqual(['r-2']);
    await expect(journal.record(meta('../escape'))).rejects.toThrow(/not a run id/);
  });

  it('keeps running runs, forgets finished and expired ones, and records missing ones as lost with their branches', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const journal = new RunJournal(dataDir);
    const runs = new RunStore(redis, prefix);
    const running = meta('20261202-010000-aaaaaa');
    const finished = meta('20261202-010000-bbbbbb');
    const lost = meta('20261202-010203-cccccc');
    const expired = meta('20261101-000000-dddddd', '2026-11-01T00:00:00.000Z');
    const lostEarlier = meta('20261202-010204-eeeeee');
    for (const m of [running, finished]) await runs.create(m);
    // A fix worker's batch in flight ended first and recorded its run as lost.
    await runs.markLost(lostEarlier, LOST_RUN_REASON, ['selfreview/remove-unused-imports-2']);
    await runs.setMeta(finished.runId, { finishedAt: new Date().toISOString() });
    // A worker finished the lost run's last batch after Redis came back empty: only that field exists.
    await runs.setMeta(lost.runId, { finishedAt: new Date().toISOString() });
    for (const m of [running, finished, lost, expired, lostEarlier]) await journal.record(m);

    const found = await reconcileJournal({
      journal,
      runs,
      branchesOf: async (m) => (m.runId === lost.runId ? ['selfreview/remove-unused-imports-1'] : []),
      now: Date.parse('2026-12-02T02:00:00.000Z'),
    });
    expect(found).toEqual([lost.runId, lostEarlier.runId]);
    expect((await journal.list()).map((m) => m.runId)).toEqual([running.runId]);
    const recorded = await runs.meta(lost.runId);
    expect(recorded).toMatchObject({ repoPath: '/repo', baseSha: lost.baseSha, lost: LOST_RUN_REASON });
    expect(recorded?.finishedAt).toBeTruthy();
    expect(await runs.recentRuns()).toContain(lost.runId);
    expect(await runs.errors(lost.runId)).toEqual([
      'branch selfreview/remove-unused-imports-1 was made by this run before its state was lost',
      `the run's state was lost: ${LOST_RUN_REASON}; the work still queued for it is gone`,
    ]);
    // Recorded once, by the fix worker: the journal only names it.
    expect(await runs.errors(lostEarlier.runId)).toEqual([
      'branch selfreview/remove-unused-imports-2 was made by this run before its state was lost',
      `the run's state was lost: ${LOST_RUN_REASON}; the work still queued for it is gone`,
    ]);
    // Said once: a second look changes nothing.
    expect(await reconcileJournal({ journal, runs, branchesOf: async () => [] })).toEqual([]);
  });

  it('reads a run id back as its start time', () => {
    expect(startedAtFromRunId('20261202-010203-cccccc')).toBe('2026-12-02T01:02:03.000Z');
    expect(startedAtFromRunId('run-kill')).toBe('');
  });
});
