/**
 * selfreview spread over hosts (issue 17 item 4): network namespaces joined by a bridge, each host
 * with a folder of its own that the others cannot see (tests/helpers/netns.ts), and on them:
 * - redis: a private redis-server with AOF and a password, bound to its host's address;
 * - gateway: the webhook receiver;
 * - pipeline: the scan and apply workers (the scan worker's clone of the repository);
 * - fix1, fix2: a fix worker each, with its own SELFREVIEW_DATA_DIR and so its own clone;
 * - publish: the publisher, the only process with the forge token;
 * - forge: bare repositories over HTTPS (git http-backend, push with the token only) and GitHub's
 *   REST API (tests/helpers/git-http-server.ts), on one host name as a forge has them.
 * The repository is configured by clone URL. A signed push webhook from the forge host starts a run
 * with many fix batches; both fix workers take batches; once each has finished one, the host of
 * fix1 is killed (every process in it, SIGKILL) in the middle of a batch. fix2 takes that batch
 * over once its job lock lapses, and the run ends with every fix committed, pushed and proposed
 * exactly once: branches counted on the forge's git server, pull requests on its API, each batch's
 * worker read from the workers' logs and the commits' trailers.
 *
 * Built code (`node services/<svc>/dist/main.js`), as the container image runs it. Needs root and
 * `ip netns`: skipped, saying why, where they are missing.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { RunStore } from '@selfreview/shared/runs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from './helpers/build.ts';
import { git } from './helpers/git.ts';
import {
  type Deployment,
  type HostProc,
  jobsWith,
  labUnavailable,
  MANY_FILES,
  manyBatchesRepo,
  startDeployment,
} from './helpers/netns.ts';
import { until } from './helpers/processes.ts';

const unavailable = await labUnavailable();
if (unavailable) console.warn(`multi-host test skipped: ${unavailable}`);

/** Job locks (and the stalled-job check) of every worker: a dead host's batch moves within about twice this. */
const LOCK_SECONDS = 4;

describe.skipIf(unavailable !== null)(
  `selfreview across hosts${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let d: Deployment;

    afterAll(async () => {
      await d?.stop();
    });

    beforeAll(async () => {
      await build();
      d = await startDeployment({
        repos: { web: manyBatchesRepo() },
        fixHosts: 2,
        lockSeconds: LOCK_SECONDS,
      });
    }, 300_000);

    it('a push starts a run whose batches both fix workers take; one host killed mid-batch loses nothing', async () => {
      const h = d.lab.hosts;
      const fix1 = d.procs.fix1 as HostProc;
      const fix2 = d.procs.fix2 as HostProc;
      const runs = new RunStore(d.redis, d.prefix);
      const lifecycle = new RunLifecycle(d.redis, d.prefix);
      const bare = d.repos.web?.bare ?? '';
      const base = await git(bare, 'rev-parse', 'main');
      const started = Date.now();

      // A GitHub push delivery, signed with the repository's secret, sent from the forge's host.
      expect(await d.push('web')).toMatch(/^20[02]$/);

      let runId = '';
      await until(
        'the run to start',
        async () => {
          runId = (await runs.recentRuns(5))[0] ?? '';
          return runId !== '';
        },
        60_000,
      );

      // Both workers finish a batch; then fix1's host dies in the middle of its next one.
      await until(
        'each fix worker to finish a batch and fix1 to be in the middle of another',
        async () => {
          if (jobsWith(fix1.output(), 'job finished').length < 1) return false;
          if (jobsWith(fix2.output(), 'job finished').length < 1) return false;
          const started1 = jobsWith(fix1.output(), 'job started');
          const finished1 = jobsWith(fix1.output(), 'job finished');
          const current = started1.at(-1);
          if (!current || finished1.includes(current)) return false;
          return (await batchesIn(h.fix1?.dir ?? '')).includes(current);
        },
        150_000,
      );
      const inFlight = jobsWith(fix1.output(), 'job started').at(-1) as string;
      // Both hosts' batches hold slots of one lock, the repository's, not one per host's folder.
      const slotKeys = await d.redis.keys(`${d.prefix}:lock:repo-slots:*`);
      expect(slotKeys).toHaveLength(1);
      const killed = await h.fix1?.kill();
      const killedAt = Date.now();
      expect(killed?.length).toBeGreaterThan(0);
      await fix1.exited;
      console.log(`killed host fix1 (${killed?.length} processes) during batch ${inFlight}`);

      await until(
        'the run to end',
        async () => {
          const meta = await runs.meta(runId);
          const p = await lifecycle.progress(runId);
          return Boolean(meta?.finishedAt) && Object.values(p.open).every((n) => n === 0);
        },
        150_000,
      );
      const tookMs = Date.now() - started;
      console.log(
        `run across hosts: ${(tookMs / 1000).toFixed(1)} s from the webhook to the run's end, ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (job lock ${LOCK_SECONDS} s)`,
      );

      // Every fix committed exactly once, in the run's record.
      const results = await runs.fixResults(runId);
      const committed = results.filter((r) => r.status === 'committed');
      expect(committed.map((r) => r.file).sort()).toEqual(MANY_FILES);
      expect(results.filter((r) => r.status === 'failed')).toEqual([]);
      const batches = [...new Set(committed.map((r) => r.batchId))].sort();
      expect(batches).toHaveLength(MANY_FILES.length / 2);
      expect(batches).toContain(inFlight);

      // On the forge: one branch per batch, one commit each over the base, each file changed on one
      // branch only, each commit naming its batch and the run; no other branch.
      const branchList = (await git(bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/'))
        .split('\n')
        .filter((b) => b !== 'main');
      expect(branchList).toHaveLength(batches.length);
      const changed: string[] = [];
      const trailerBatches: string[] = [];
      for (const branch of branchList) {
        expect(branch).toMatch(/^selfreview\//);
        expect(await git(bare, 'rev-list', '--count', `${base}..${branch}`), branch).toBe('1');
        changed.push(...(await git(bare, 'diff', '--name-only', base, branch)).split('\n').filter(Boolean));
        const message = await git(bare, 'log', '-1', '--format=%B', branch);
        expect(message).toContain(`Selfreview-Run: ${runId}`);
        trailerBatches.push(/Selfreview-Batch: (\S+)/.exec(message)?.[1] ?? '');
      }
      expect(changed.sort()).toEqual(MANY_FILES);
      expect(trailerBatches.sort()).toEqual(batches);
      const records = await runs.pullRequests(runId);
      expect(records.map((r) => r.status).sort()).toEqual(batches.map(() => 'opened'));

      // On the forge's API: one pull request per branch, none twice; each branch pushed once.
      // The forge process writes its state file every 100 ms, so the last pull request the
      // publisher recorded may not be in it yet: wait for as many as there are branches (a
      // duplicate would make more, and the assertions below still see it).
      let forge = await d.forgeState();
      await until(
        "the forge's state file to hold every pull request",
        async () => {
          forge = await d.forgeState();
          return forge.pulls.length >= branchList.length;
        },
        15_000,
      );
      expect(forge.pulls.map((p) => p.head).sort()).toEqual([...branchList].sort());
      expect(forge.pulls.every((p) => p.base === 'main' && p.state === 'open')).toBe(true);
      expect(forge.pushes).toBe(branchList.length);
      expect(forge.refused).toBe(0);
      expect(forge.requests.some((r) => r.path.includes('/merge'))).toBe(false);

      // Who did what: each batch finished once; both hosts did batches; fix2 finished the one
      // fix1 died in, which no other batch started twice.
      const done1 = jobsWith(fix1.output(), 'job finished');
      const done2 = jobsWith(fix2.output(), 'job finished');
      const started1 = jobsWith(fix1.output(), 'job started');
      const started2 = jobsWith(fix2.output(), 'job started');
      console.log(`fix1 finished ${done1.join(', ')}; fix2 finished ${done2.join(', ')}`);
      expect(done1.length).toBeGreaterThan(0);
      expect(done2.length).toBeGreaterThan(0);
      expect([...done1, ...done2].sort()).toEqual(batches);
      expect(done2).toContain(inFlight);
      expect(done1).not.toContain(inFlight);
      const startedTwice = [...started1, ...started2].filter((id, i, all) => all.indexOf(id) !== i);
      expect(startedTwice).toEqual([inFlight]);

      // Each fix host worked in its own clone, and fix2 left no batch's worktree behind: only the
      // one it keeps for the next batch of this commit (pool-*), reset, until it stops.
      for (const host of ['fix1', 'fix2']) {
        const clones = await readdir(path.join(h[host]?.dir ?? '', 'data', 'clones'));
        expect(clones, host).toHaveLength(1);
      }
      expect(await batchesIn(h.fix2?.dir ?? '')).toEqual([]);
      for (const dir of await worktreesOf(h.fix2?.dir ?? '')) {
        expect(path.basename(dir)).toMatch(/^pool-/);
        expect(await git(dir, 'status', '--porcelain')).toBe('');
        await expect(git(dir, 'symbolic-ref', '-q', 'HEAD'), 'detached').rejects.toThrow();
      }
      expect((await runs.meta(runId))?.lost ?? '').toBe('');
    }, 330_000);
  },
);

/**
 * Batches at work on a host: each has an owner marker `<batch>.owner` under `<data>/worktrees/<repo>/`
 * while it runs, whether its worktree is new or kept (`pool-*`, whose own markers are left out).
 */
async function batchesIn(hostDir: string): Promise<string[]> {
  const root = path.join(hostDir, 'data', 'worktrees');
  const found: string[] = [];
  for (const key of await readdir(root).catch(() => [])) {
    for (const name of await readdir(path.join(root, key)).catch(() => []))
      if (name.endsWith('.owner') && !name.startsWith('pool-')) found.push(name.slice(0, -'.owner'.length));
  }
  return found;
}

/** Worktree folders on a host (under `<data>/worktrees/<repo>/`), full paths. */
async function worktreesOf(hostDir: string): Promise<string[]> {
  const root = path.join(hostDir, 'data', 'worktrees');
  const found: string[] = [];
  for (const key of await readdir(root).catch(() => [])) {
    for (const e of await readdir(path.join(root, key), { withFileTypes: true }).catch(() => []))
      if (e.isDirectory()) found.push(path.join(root, key, e.name));
  }
  return found;
}
