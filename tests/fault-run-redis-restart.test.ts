/**
 * `selfreview run` against an operator's Redis (REDIS_URL) that restarts while the fix stage
 * runs. With AOF the run waits for Redis, carries on and completes every batch once; without
 * persistence the run's state is gone, and the run says so and lists the branches it made,
 * found in the repository, instead of hanging or reporting half. And the settings that decide
 * this (eviction policy, persistence) are checked when `run` and the workers start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRedisSettings } from '@selfreview/shared/redis';
import { freePort } from '@selfreview/shared/redis-server';
import { RunReport } from '@selfreview/shared/schemas';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { FROM_SOURCE, runCli } from './helpers/cli.ts';
import { expectEachFixCommittedOnce, selfreviewBranches, severalBatchesRepo } from './helpers/fix-batches.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { printRunLogs, startCli, until } from './helpers/processes.ts';
import { uniquePrefix } from './helpers/redis.ts';
import { type OwnRedis, startRedisServer } from './helpers/redis-server.ts';

const SCAN_MAIN = fileURLToPath(new URL('../services/scan/src/main.ts', import.meta.url));

/** How long Redis stays away: the restart the fault report describes. */
const OUTAGE_MS = 4_000;

describe('selfreview run through a Redis restart', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
  });

  async function setUp(aof: boolean, waitSeconds = 60) {
    const dir = await tempDir('selfreview-redis-restart-');
    cleanup.push(() => removeDir(dir));
    const redisDir = path.join(dir, 'redis');
    await mkdir(redisDir);
    const port = await freePort();
    const servers: OwnRedis[] = [await startRedisServer({ port, dir: redisDir, aof })];
    cleanup.push(async () => {
      for (const s of servers) await s.stop('SIGKILL');
    });
    const repo = await makeRepo(severalBatchesRepo());
    cleanup.push(() => removeDir(repo));
    const base = await git(repo, 'rev-parse', 'HEAD');
    const dataDir = path.join(dir, 'data');
    const reportFile = path.join(dir, 'report.json');
    // A run that hangs stops itself after 3 minutes, well inside this test's time, so that what
    // it and its workers said can still be printed.
    const cli = startCli(['run', repo, '--report', reportFile, '--timeout', '3'], {
      REDIS_URL: servers[0]?.url ?? '',
      SELFREVIEW_PREFIX: uniquePrefix('redis-restart'),
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_REDIS_WAIT_SECONDS: String(waitSeconds),
    });
    cleanup.push(async () => {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });
    /** Stops Redis, keeps it away for the outage, and starts it again on the same port and folder. */
    const restart = async (signal: 'SIGTERM' | 'SIGKILL') => {
      await servers[0]?.stop(signal);
      const downAt = Date.now();
      // The outage itself, not a wait for something to happen.
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      servers.unshift(await startRedisServer({ port, dir: redisDir, aof }));
      return downAt;
    };
    return {
      repo,
      base,
      dataDir,
      reportFile,
      cli,
      restart,
      stop: (signal: 'SIGTERM' | 'SIGKILL') => servers[0]?.stop(signal),
    };
  }

  it('with AOF: waits for Redis, then completes the run with every fix committed once', async () => {
    const { repo, base, dataDir, reportFile, cli, restart } = await setUp(true);
    // The fix stage is under way: batches queued, one of them running.
    await until('the fix stage to start', () => /fix [0-2]\/3 batches/.test(cli.output()), 180_000);
    // An operator's restart (systemctl restart): SIGTERM, Redis writes its AOF out and stops.
    const downAt = await restart('SIGTERM');
    const result = await cli.result;
    const afterMs = Date.now() - downAt;
    console.log(
      `AOF restart: run ended ${(afterMs / 1000).toFixed(1)} s after Redis stopped (outage ${OUTAGE_MS / 1000} s)`,
    );
    if (result.code !== 0 || afterMs > 60_000) await printRunLogs(dataDir, cli.output());
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(
      /Redis at redis:\/\/127\.0\.0\.1:\d+ is not answering; waiting \(up to 60 s\)…/,
    );
    expect(result.stdout).toContain('Redis is back');
    // No stack traces from a dropped connection, and nothing on stderr at all.
    expect(result.stdout).not.toMatch(/ECONNREFUSED|Stream isn't writeable|\n\s+at /);
    expect(result.stderr).toBe('');
    // AOF is persistence: no warning about its absence.
    expect(result.stdout).not.toContain('no persistence');
    const report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    expect(report.errors ?? []).toEqual([]);
    await expectEachFixCommittedOnce(repo, base, report);
    expect(await selfreviewBranches(repo)).toHaveProperty('size', 3);
  }, 300_000);

  it('without persistence: ends as failed with the reason and the branches the run made', async () => {
    const { repo, base, dataDir, reportFile, cli, restart } = await setUp(false);
    // One batch committed, so there is a branch to find; the others are still to come.
    await until('a first fix batch to finish', () => /fix [12]\/3 batches/.test(cli.output()), 180_000);
    const downAt = await restart('SIGKILL');
    const result = await cli.result;
    console.log(
      `lost state: run ended ${((Date.now() - downAt) / 1000).toFixed(1)} s after Redis stopped (outage ${OUTAGE_MS / 1000} s)`,
    );
    expect(result.code, result.stderr + result.stdout).toBe(1);
    // Warned once at the start, before anything was queued.
    expect(result.stdout.match(/Redis: warning: Redis has no persistence/g)).toHaveLength(1);
    expect(result.stdout).toContain('is not answering; waiting (up to 60 s)…');
    expect(result.stderr.trim()).toBe(
      "selfreview: Redis lost this run's state: it restarted without persistence",
    );

    // Every branch in the repository is this run's (the repository is new): each one listed.
    const branches = [...(await selfreviewBranches(repo))];
    expect(branches.length).toBeGreaterThanOrEqual(1);
    const report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    expect(report.errors?.[0]).toBe("Redis lost this run's state: it restarted without persistence");
    for (const [branch, tip] of branches) {
      expect(tip).not.toBe(base);
      expect(await git(repo, 'log', '-1', '--format=%B', branch)).toContain(
        `Selfreview-Run: ${report.runId}`,
      );
      expect(report.warnings.join('\n')).toContain(`${branch} ${tip.slice(0, 7)}`);
      expect(result.stdout).toContain(`Undo: selfreview rollback ${branch} --repo ${repo}`);
    }
    expect(result.stdout).toContain("Errors (the run is incomplete):\n  Redis lost this run's state");
    // The same report is kept with the run's logs.
    const kept = JSON.parse(await readFile(path.join(dataDir, 'runs', report.runId, 'report.json'), 'utf8'));
    expect(kept).toEqual(JSON.parse(await readFile(reportFile, 'utf8')));
    // The workers are stopped, not left behind (their worktrees neither).
    expect((await git(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
    const worktrees = path.join(dataDir, 'worktrees');
    for (const key of await readdir(worktrees).catch(() => [])) {
      for (const entry of await readdir(path.join(worktrees, key), { withFileTypes: true }))
        expect(entry.isDirectory(), `${key}/${entry.name} left behind`).toBe(false);
    }
  }, 300_000);

  it('gives up on a Redis that does not come back within SELFREVIEW_REDIS_WAIT_SECONDS, with one line and a report', async () => {
    const { repo, reportFile, cli, stop } = await setUp(true, 3);
    await until('the apply stage to start', () => /apply \d+\/\d+ jobs/.test(cli.output()), 180_000);
    await stop('SIGKILL');
    const downAt = Date.now();
    const result = await cli.result;
    const tookMs = Date.now() - downAt;
    console.log(`Redis gone: run ended ${(tookMs / 1000).toFixed(1)} s after Redis stopped (bound 3 s)`);
    expect(result.code, result.stderr + result.stdout).toBe(1);
    const reason =
      /^Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer for 3 s \(SELFREVIEW_REDIS_WAIT_SECONDS\); the run's state stays in Redis if it comes back \(selfreview status\)$/;
    expect(result.stderr.trim().replace(/^selfreview: /, '')).toMatch(reason);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    expect(report.errors?.[0]).toMatch(reason);
    // Apply is one quick job, so a first fix batch may have committed before Redis went away:
    // the report lists exactly the branches the repository holds, or says there are none.
    const branches = [...(await selfreviewBranches(repo))];
    if (branches.length === 0)
      expect(report.warnings).toEqual(['no fix branch of this run was found in the repository']);
    expect(report.warnings).toHaveLength(Math.max(1, branches.length));
    for (const [branch, tip] of branches)
      expect(report.warnings.join('\n')).toContain(
        `fix branch of this run (found in the repository): ${branch} ${tip.slice(0, 7)} `,
      );
    // The bound, then the workers' short grace (3 s) to stop: no hang.
    expect(tookMs).toBeLessThan(60_000);
  }, 300_000);
});

describe('Redis settings checked at start', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
  });

  async function ownRedis(args: string[], aof = false): Promise<{ url: string; dir: string }> {
    const dir = await tempDir('selfreview-redis-settings-');
    cleanup.push(() => removeDir(dir));
    const server = await startRedisServer({ port: await freePort(), dir, aof, args });
    cleanup.push(() => server.stop('SIGKILL'));
    return { url: server.url, dir };
  }

  it('an evicting Redis stops `run` and a worker with one line and exit code 2, unless told to warn', async () => {
    const { url, dir } = await ownRedis(['--maxmemory-policy', 'allkeys-lru']);
    const repo = await makeRepo(severalBatchesRepo());
    cleanup.push(() => removeDir(repo));
    const env = { REDIS_URL: url, SELFREVIEW_PREFIX: uniquePrefix('settings'), SELFREVIEW_DATA_DIR: dir };
    const line =
      /Redis maxmemory-policy is allkeys-lru, but BullMQ needs noeviction .*: set maxmemory-policy noeviction \(or set SELFREVIEW_REDIS_CHECK=warn to (run|start) anyway\)/;

    const run = await runCli(['run', repo], env, 60_000);
    expect(run.code, run.stderr + run.stdout).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(line);
    // Refused before anything started: no run, no branch.
    await expect(readdir(path.join(dir, 'runs'))).rejects.toThrow();
    expect(await selfreviewBranches(repo)).toHaveProperty('size', 0);

    const worker = startWorker(SCAN_MAIN, env);
    expect(await worker.exited).toBe(2);
    expect(worker.stderr()).toMatch(line);

    const warned = startWorker(SCAN_MAIN, { ...env, SELFREVIEW_REDIS_CHECK: 'warn' });
    cleanup.push(async () => void warned.child.kill('SIGKILL'));
    await until('the warned worker to start', () => warned.stdout().includes('"msg":"worker ready"'), 60_000);
    expect(warned.stdout()).toMatch(/"level":40,.*maxmemory-policy is allkeys-lru/);
    warned.child.kill('SIGTERM');
    expect(await warned.exited).toBe(0);
  }, 120_000);

  it('lists missing persistence and an unreadable CONFIG as warnings, never as errors', async () => {
    const plain = new Redis((await ownRedis([])).url);
    const withAof = new Redis((await ownRedis([], true)).url);
    const refused = new Redis((await ownRedis(['--rename-command', 'CONFIG', '""'], true)).url);
    cleanup.push(async () => {
      for (const r of [plain, withAof, refused]) r.disconnect();
    });
    expect((await checkRedisSettings(plain)).map((p) => p.kind)).toEqual(['persistence']);
    expect(await checkRedisSettings(withAof)).toEqual([]);
    const [unreadable, ...rest] = await checkRedisSettings(refused);
    expect(rest).toEqual([]);
    expect(unreadable?.kind).toBe('unreadable');
    expect(unreadable?.message).toMatch(
      /^cannot read Redis settings \(CONFIG GET refused: ERR unknown command 'CONFIG'\): make sure maxmemory-policy is noeviction/,
    );
  });
});

type Worker = {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
};

function startWorker(main: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [...FROM_SOURCE, main], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}
