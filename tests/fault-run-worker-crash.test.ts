/**
 * `selfreview run` whose fix worker dies (SIGKILL) in the middle of a batch: the CLI restarts
 * it, BullMQ hands the stalled batch to the new worker once its lock expires
 * (SELFREVIEW_JOB_LOCK_SECONDS), and the run completes as if nothing happened: every fix
 * committed once, no empty branch, no worktree left behind.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isProcessRunning } from '@selfreview/shared/process-identity';
import { RunReport } from '@selfreview/shared/schemas';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { expectEachFixCommittedOnce, severalBatchesRepo } from './helpers/fix-batches.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { childPids, printRunLogs, startCli, until } from './helpers/processes.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const LOCK_SECONDS = 3;
const FIX_MAIN = 'services/fix/src/main.ts';

describe('selfreview run when its fix worker dies mid-batch', () => {
  const dirs: string[] = [];
  const prefixes: string[] = [];
  /** Worker processes a test saw: none may outlive this file, whatever its outcome. */
  const seenWorkers: number[] = [];
  afterAll(async () => {
    for (const pid of seenWorkers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
    const redis = new Redis(testRedisUrl());
    for (const p of prefixes) await cleanPrefix(redis, p);
    redis.disconnect();
    for (const d of dirs) await removeDir(d);
  });

  async function start() {
    const repo = await makeRepo(severalBatchesRepo());
    const dataDir = await tempDir();
    dirs.push(repo, dataDir);
    const prefix = uniquePrefix('worker-crash');
    prefixes.push(prefix);
    const reportFile = path.join(dataDir, 'report.json');
    const cli = startCli(['run', repo, '--report', reportFile], {
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_JOB_LOCK_SECONDS: String(LOCK_SECONDS),
    });
    return {
      repo,
      dataDir,
      reportFile,
      cli,
      base: await git(repo, 'rev-parse', 'HEAD'),
      startedAt: Date.now(),
    };
  }

  /** Folders of fix worktrees in use (the per-repository folder also holds marker files). */
  async function worktreeFolders(dataDir: string): Promise<string[]> {
    const root = path.join(dataDir, 'worktrees');
    const found: string[] = [];
    for (const key of await readdir(root).catch(() => [])) {
      for (const entry of await readdir(path.join(root, key), { withFileTypes: true }).catch(() => []))
        if (entry.isDirectory()) found.push(path.join(key, entry.name));
    }
    return found;
  }

  let usualMs = 0;

  it('runs the repository undisturbed (the time to compare with)', async () => {
    const { repo, base, reportFile, cli, startedAt } = await start();
    const result = await cli.result;
    usualMs = Date.now() - startedAt;
    console.log(`undisturbed run: ${(usualMs / 1000).toFixed(1)} s`);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    await expectEachFixCommittedOnce(
      repo,
      base,
      RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8'))),
    );
  }, 300_000);

  it('restarts the killed fix worker and completes every batch exactly once', async () => {
    const { repo, base, dataDir, reportFile, cli, startedAt } = await start();
    const cliPid = cli.child.pid ?? 0;

    // In the middle of a batch: its worktree exists, so the batch has made its branch.
    let inFlight: string[] = [];
    await until(
      'a fix batch to be in progress',
      async () => {
        inFlight = await worktreeFolders(dataDir);
        return inFlight.length > 0 || cli.child.exitCode !== null;
      },
      180_000,
    );
    expect(cli.child.exitCode, cli.output()).toBeNull();
    const [fixPid, ...others] = await childPids(cliPid, FIX_MAIN);
    expect(fixPid, 'the fix worker is a child of the CLI').toBeDefined();
    expect(others).toEqual([]);
    process.kill(fixPid as number, 'SIGKILL');
    const killedAt = Date.now();
    console.log(`killed the fix worker (pid ${fixPid}) during ${inFlight.join(', ')}`);

    // A new fix worker, started by the CLI (not by this test).
    await until('a new fix worker', async () => (await childPids(cliPid, FIX_MAIN)).length === 1, 30_000);
    expect(await childPids(cliPid, FIX_MAIN)).not.toContain(fixPid);

    const result = await cli.result;
    const tookMs = Date.now() - startedAt;
    console.log(
      `run with a killed fix worker: ${(tookMs / 1000).toFixed(1)} s (undisturbed ${(usualMs / 1000).toFixed(1)} s; ended ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill)`,
    );
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(
      /The fix worker stopped \(signal SIGKILL\); restarting it in \d+ s \(1\/5\)/,
    );
    expect(result.stdout.match(/stopped \(/g)).toHaveLength(1);

    const report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    await expectEachFixCommittedOnce(repo, base, report);
    expect(report.stages.fix).toMatchObject({ batches: 3, committed: 6, failed: 0 });

    // Nothing left of the killed batch: one worktree (the checkout), no worktree folders.
    expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    expect(await worktreeFolders(dataDir)).toEqual([]);
    await expect(access(path.join(dataDir, 'worktrees', inFlight[0] ?? 'none'))).rejects.toThrow();

    // The batch waited for its lock to lapse (about two stall intervals), was re-run once, and the
    // restart added a pause and a start-up: generous, since other work shares this machine.
    const allowanceMs = 2 * LOCK_SECONDS * 1000 + 60_000;
    expect(tookMs).toBeLessThan(usualMs + allowanceMs);
  }, 300_000);

  it('takes its workers with it when the CLI itself is SIGKILLed: the batch in flight ends, then each worker exits', async () => {
    const { repo, base, dataDir, cli } = await start();
    const cliPid = cli.child.pid ?? 0;
    await until(
      'a fix batch to be in progress',
      async () => (await worktreeFolders(dataDir)).length > 0 || cli.child.exitCode !== null,
      180_000,
    );
    expect(cli.child.exitCode, cli.output()).toBeNull();
    const workers = await childPids(cliPid, 'services/');
    seenWorkers.push(...workers);
    // scan, apply, fix and publish: every process the CLI started.
    expect(workers).toHaveLength(4);
    cli.child.kill('SIGKILL');
    const killedAt = Date.now();
    // Not orphans waiting for the next run's jobs: gone once the batch in flight has ended. An exited
    // orphan may stay a zombie (where init does not reap), so "gone" is "not running".
    await until(
      'every worker of the killed CLI to exit',
      () => workers.every((pid) => !isProcessRunning(pid)),
      90_000,
    ).catch(async (err) => {
      // Which workers stayed, in what state, and what they were doing.
      for (const pid of workers.filter(isProcessRunning)) {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '(no /proc entry)');
        console.log(`still running: ${stat.slice(0, 120)}`);
      }
      await printRunLogs(dataDir, cli.output());
      throw err;
    });
    console.log(
      `workers of the killed CLI gone ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
    );
    // The batch in flight was finished, not abandoned: its branch holds its one commit, and no
    // worktree is left.
    const made = (await git(repo, 'branch', '--list', 'selfreview/*', '--format=%(refname:short)'))
      .split('\n')
      .filter(Boolean);
    expect(made.length).toBeGreaterThanOrEqual(1);
    for (const branch of made) expect(await git(repo, 'rev-list', '--count', `${base}..${branch}`)).toBe('1');
    expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    expect(await worktreeFolders(dataDir)).toEqual([]);
  }, 300_000);
});
