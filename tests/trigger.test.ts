/**
 * Triggers become runs through the coordinator (worked in the scan service): a push scans what changed since the last scanned
 * commit of the branch, a schedule scans everything, a paused repository starts nothing, a
 * repository given by URL is cloned into the cache. And the end of a run posts its summary.
 */

import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import {
  createTriggerProcessor,
  finishRunIfDrained,
  firstPushKey,
  recordFirstPush,
} from '@selfreview/shared/coordinator';
import { RepoPauses } from '@selfreview/shared/pauses';
import type { ScanJob, TriggerJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { createQueue } from '@selfreview/shared/worker';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { listenOnLoopback, readBody } from './helpers/loopback.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

describe('triggers', () => {
  const prefix = uniquePrefix('trig');
  const redis = connect('producer');
  const runs = new RunStore(redis, prefix);
  const pauses = new RepoPauses(redis, prefix);
  const scanQueue = createQueue('scan', redis, prefix);
  const log = pino({ level: 'silent' });
  const ctx = { job: { id: 't' } as unknown as Job, log };
  let repo: string;
  let dataDir: string;
  let first: string;
  let handle: ReturnType<typeof createTriggerProcessor>;

  beforeAll(async () => {
    repo = await makeRepo({ 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 1;\n' });
    first = await git(repo, 'rev-parse', 'HEAD');
    dataDir = await tempDir();
    handle = createTriggerProcessor({ runs, scanQueue, redis, prefix, dataDir, pauses });
  });
  afterAll(async () => {
    await scanQueue.close();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  const commit = async (file: string, text: string) => {
    await writeFile(path.join(repo, file), text);
    await git(repo, 'add', file);
    await git(
      repo,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@localhost',
      'commit',
      '-q',
      '-m',
      `change ${file}`,
    );
    return git(repo, 'rev-parse', 'HEAD');
  };
  const target: TriggerJob['repo'] = { name: 'local', path: '', branch: 'main' };
  const trigger = (over: Partial<TriggerJob>): TriggerJob => ({
    kind: 'push',
    repo: { ...target, path: repo },
    ...over,
  });
  const scanJob = async (runId: string): Promise<ScanJob | undefined> =>
    (await scanQueue.getJob(`${runId}-scan`))?.data;

  it('a push scans the files changed since the pushed range began, and records the scanned commit', async () => {
    const second = await commit('src/b.ts', 'export const b = 2;\n');
    const result = await handle(trigger({ before: first, after: second }), ctx);
    expect(result).toMatchObject({ mode: 'push', files: 1, sha: second });
    const job = await scanJob((result as { runId: string }).runId);
    expect(job).toMatchObject({
      mode: 'push',
      files: ['src/b.ts'],
      baseSha: second,
      repo: { name: 'local' },
    });
    expect(await runs.meta((result as { runId: string }).runId)).toMatchObject({
      repoName: 'local',
      trigger: 'push',
    });
  });

  it('coalesced pushes lose nothing: the scan covers everything since the last scanned commit', async () => {
    await commit('src/a.ts', 'export const a = 2;\n');
    const newest = await commit('src/c.ts', 'export const c = 1;\n');
    // The trigger names only the newest push; a.ts changed in the one it replaced.
    const result = await handle(trigger({ before: 'f'.repeat(40), after: newest }), ctx);
    const job = await scanJob((result as { runId: string }).runId);
    expect(job?.files?.sort()).toEqual(['src/a.ts', 'src/c.ts']);
    expect(await handle(trigger({ after: newest }), ctx)).toEqual({ skipped: 'no_changes' });
  });

  it('a branch with no scan recorded diffs from where the burst of pushes began, not from the last push', async () => {
    const fresh: TriggerJob['repo'] = { name: 'fresh', path: repo, branch: 'main' };
    const start = await git(repo, 'rev-parse', 'HEAD');
    const middle = await commit('src/d.ts', 'export const d = 1;\n');
    const newest = await commit('src/e.ts', 'export const e = 1;\n');
    // What the gateway records for two pushes (start→middle, middle→newest), in that order.
    await recordFirstPush(redis, prefix, { name: 'fresh', branch: 'main', before: start });
    await recordFirstPush(redis, prefix, { name: 'fresh', branch: 'main', before: middle });
    // The one trigger they coalesced into carries the second push only.
    const result = await handle({ kind: 'push', repo: fresh, before: middle, after: newest }, ctx);
    const job = await scanJob((result as { runId: string }).runId);
    expect(job?.files?.sort()).toEqual(['src/d.ts', 'src/e.ts']);
    // Scanned now: the next push diffs from the scanned commit, and the mark is gone.
    expect(await redis.get(firstPushKey(prefix, 'fresh', 'main'))).toBeNull();
    expect(await handle({ kind: 'push', repo: fresh, before: middle, after: newest }, ctx)).toEqual({
      skipped: 'no_changes',
    });
  });

  it('a schedule scans the whole branch; a paused repository starts nothing until resumed', async () => {
    const full = await handle(trigger({ kind: 'schedule' }), ctx);
    expect(full).toMatchObject({ mode: 'full', files: null });
    await pauses.pause('local');
    expect(await handle(trigger({ kind: 'schedule' }), ctx)).toEqual({ skipped: 'paused' });
    await pauses.resume('local');
    expect(await handle(trigger({ kind: 'schedule' }), ctx)).toMatchObject({ mode: 'full' });
  });

  it('a repository given by URL is cloned into the cache and scanned from there', async () => {
    const result = await handle(
      { kind: 'schedule', repo: { name: 'remote', url: `file://${repo}`, branch: 'main' } },
      ctx,
    );
    const job = await scanJob((result as { runId: string }).runId);
    expect(job?.repo.path.startsWith(path.join(dataDir, 'clones'))).toBe(true);
    expect(job?.baseSha).toBe(await git(repo, 'rev-parse', 'HEAD'));
  });

  it('posts one summary to the team webhook when the run is over', async () => {
    const received: unknown[] = [];
    const server = createServer(async (req, res) => {
      received.push(JSON.parse(await readBody(req)));
      res.writeHead(200).end('ok');
    });
    const hook = await listenOnLoopback(server);
    try {
      const result = await handle(trigger({ kind: 'schedule', notifyEnv: 'TEAM_HOOK' }), ctx);
      const runId = (result as { runId: string }).runId;
      const env = { TEAM_HOOK: `${hook.url}/hook` };
      // The scan job is still open: not over yet.
      expect(await finishRunIfDrained({ redis, prefix, runs, runId, env, log })).toBe(false);
      await redis.del(`${prefix}:run:{${runId}}:open:scan`);
      expect(await finishRunIfDrained({ redis, prefix, runs, runId, env, log })).toBe(true);
      expect(await finishRunIfDrained({ redis, prefix, runs, runId, env, log })).toBe(false);
      expect(received).toHaveLength(1);
      expect((received[0] as { text: string }).text).toMatch(
        new RegExp(`^selfreview run ${runId} on local \\(main @ [0-9a-f]{7}\\)`),
      );
      expect((await runs.meta(runId))?.finishedAt).toBeTruthy();
    } finally {
      await hook.close();
    }
  });
});
