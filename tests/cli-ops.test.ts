/**
 * The operator commands as a person runs them, on the test Redis: `status`, `requeue`,
 * `pause` and `resume`, and their one-line refusals.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RepoPauses } from '@selfreview/shared/pauses';
import type { ScanJob, TriggerJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { createQueue } from '@selfreview/shared/worker';
import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const SHA = 'a'.repeat(40);

function expectOneLineError(
  res: { code: number | null; stderr: string },
  code: number,
  pattern: RegExp,
): void {
  expect(res.code).toBe(code);
  const lines = res.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^selfreview: /);
  expect(lines[0]).toMatch(pattern);
  expect(res.stderr).not.toMatch(/^\s+at /m);
}

let redis: Redis;
let prefix: string;
let scanQueue: Queue<ScanJob>;
let triggerQueue: Queue<TriggerJob>;
let dir: string;
let configFile: string;

const env = () => ({ REDIS_URL: testRedisUrl(), SELFREVIEW_PREFIX: prefix });
const cli = (...args: string[]) => runCli(args, env(), 60_000);

beforeAll(async () => {
  redis = connect('producer');
  dir = await tempDir();
  configFile = path.join(dir, 'selfreview.server.yaml');
  await writeFile(configFile, 'repositories:\n  - name: web\n    path: /tmp/web\n    branch: main\n');
});

afterAll(async () => {
  await redis.quit();
  await removeDir(dir);
});

beforeEach(() => {
  prefix = uniquePrefix('ops');
  scanQueue = createQueue('scan', redis, prefix);
  triggerQueue = createQueue('trigger', redis, prefix);
});

afterEach(async () => {
  await scanQueue.close();
  await triggerQueue.close();
  await cleanPrefix(redis, prefix);
});

/** A scan job that failed for good, as a worker would leave it. */
async function failedScanJob(runId: string): Promise<string> {
  const data: ScanJob = {
    runId,
    repo: { path: '/tmp/web', name: 'web' },
    baseBranch: 'main',
    baseSha: SHA,
    mode: 'full',
  };
  await scanQueue.add('full-scan', data, { jobId: `${runId}-scan` });
  const connection = connect('worker');
  const worker = new Worker('scan', null, { connection, prefix });
  try {
    const job = (await worker.getNextJob('token-1')) as Job;
    await job.moveToFailed(new UnrecoverableError('boom'), 'token-1');
    return job.id as string;
  } finally {
    await worker.close();
    await connection.quit();
  }
}

describe('selfreview status', () => {
  it('shows queue depths by state, paused repositories and recent runs', async () => {
    await failedScanJob('run-1');
    await triggerQueue.add('manual', {
      kind: 'manual',
      repo: { name: 'web', path: '/tmp/web', branch: 'main' },
    });
    await new RepoPauses(redis, prefix).pause('web');
    const runs = new RunStore(redis, prefix);
    await runs.create({
      runId: '20260101-000000-aaaaaa',
      repoPath: '/tmp/web',
      baseBranch: 'main',
      baseSha: SHA,
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    await runs.setMeta('20260101-000000-aaaaaa', { repoName: 'web' });

    const res = await cli('status');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n');
    expect(lines[0]).toBe(`Queues (prefix ${prefix}, Redis ${new URL(testRedisUrl()).host}):`);
    expect(lines[1]).toMatch(
      /^ {2}queue\s+waiting\s+active\s+delayed\s+prioritized\s+paused\s+completed\s+failed$/,
    );
    const row = (queue: string) =>
      lines
        .find((l) => l.trim().startsWith(`${queue} `))
        ?.trim()
        .split(/\s+/);
    expect(row('trigger')).toEqual(['trigger', '1', '0', '0', '0', '0', '0', '0']);
    expect(row('scan')).toEqual(['scan', '0', '0', '0', '0', '0', '0', '1']);
    expect(row('apply')).toEqual(['apply', '0', '0', '0', '0', '0', '0', '0']);
    expect(row('fix')).toEqual(['fix', '0', '0', '0', '0', '0', '0', '0']);
    expect(res.stdout).toMatch(/1 failed: re-queue with `selfreview requeue QUEUE --all`/);
    expect(res.stdout).toContain('Paused repositories: web\n');
    expect(res.stdout).toMatch(
      /Recent runs:\n {2}20260101-000000-aaaaaa {2}web {2}main@aaaaaaa {2}2026-01-01T00:00:00\.000Z {2}done/,
    );
  });

  it('says none when there is nothing', async () => {
    const res = await cli('status');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Paused repositories: none\n');
    expect(res.stdout).toContain('Recent runs: none\n');
    expect(res.stdout).not.toMatch(/failed:/);
  });
});

describe('selfreview requeue', () => {
  it('re-queues one failed job, then all of them', async () => {
    const first = await failedScanJob('run-1');
    const one = await cli('requeue', 'scan', first);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`Re-queued job ${first} of scan.\n`);
    expect(await scanQueue.getJobState(first)).toBe('waiting');

    // Not failed any more: refused, in one line.
    expectOneLineError(await cli('requeue', 'scan', first), 2, /is waiting, not failed/);
    expectOneLineError(await cli('requeue', 'scan', 'no-such-job'), 2, /no job "no-such-job" in queue scan/);

    await scanQueue.obliterate({ force: true });
    await failedScanJob('run-2');
    await failedScanJob('run-3');
    const all = await cli('requeue', 'scan', '--all');
    expect(all.code).toBe(0);
    expect(all.stdout).toBe('Re-queued 2 failed jobs of scan.\n');
    expect(await scanQueue.getFailedCount()).toBe(0);
    expect(await scanQueue.getWaitingCount()).toBe(2);
    expect((await cli('requeue', 'scan', '--all')).stdout).toBe('No failed jobs in scan.\n');
  });

  it('refuses a bad queue name or a missing JOB_ID, in one line, exit 2', async () => {
    expectOneLineError(
      await cli('requeue', 'nope', '--all'),
      2,
      /unknown queue "nope"; queues: trigger, scan, apply, fix/,
    );
    expectOneLineError(await cli('requeue', 'scan'), 2, /either one JOB_ID or --all/);
    expectOneLineError(await cli('requeue', 'scan', '7', '--all'), 2, /either one JOB_ID or --all/);
  });

  it('says in one line that Redis does not answer', async () => {
    const res = await runCli(
      ['status'],
      { REDIS_URL: 'redis://127.0.0.1:1', SELFREVIEW_PREFIX: prefix },
      60_000,
    );
    expectOneLineError(res, 1, /Redis at 127\.0\.0\.1:1 did not answer/);
  });
});

describe('selfreview pause and resume', () => {
  it('pauses, and resumes without a configuration only clearing the pause', async () => {
    const pauses = new RepoPauses(redis, prefix);
    const paused = await cli('pause', 'web');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^Paused web: it starts no new run/);
    expect(await pauses.list()).toEqual(['web']);
    expect((await cli('pause', 'web')).stdout).toBe('web was already paused.\n');

    const resumed = await cli('resume', 'web');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^Resumed web\. No catch-up scan queued/);
    expect(await pauses.list()).toEqual([]);
    expect(await triggerQueue.getWaitingCount()).toBe(0);
  });

  it('resumes with the server configuration and queues a catch-up full scan', async () => {
    const pauses = new RepoPauses(redis, prefix);
    expect((await cli('pause', 'web', '--config', configFile)).code).toBe(0);
    const resumed = await cli('resume', 'web', '--config', configFile);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^Resumed web; queued a full scan \(trigger job \S+\)/);
    expect(await pauses.list()).toEqual([]);
    const [trigger] = await triggerQueue.getWaiting();
    expect(trigger?.data).toEqual({
      kind: 'manual',
      repo: { name: 'web', path: '/tmp/web', branch: 'main' },
      source: 'resume',
    });

    // The configuration from the environment works the same.
    await pauses.pause('web');
    const fromEnv = await runCli(
      ['resume', 'web'],
      { ...env(), SELFREVIEW_SERVER_CONFIG: configFile },
      60_000,
    );
    expect(fromEnv.code).toBe(0);
    expect(await triggerQueue.getWaitingCount()).toBe(2);
  });

  it('refuses a name that is not configured or not a name', async () => {
    expectOneLineError(
      await cli('resume', 'api', '--config', configFile),
      2,
      /no repository "api" in the server configuration/,
    );
    expectOneLineError(await cli('pause', 'we b'), 2, /not a repository name/);
    expectOneLineError(await cli('pause'), 2, /pause takes one repository NAME/);
    expect(await new RepoPauses(redis, prefix).list()).toEqual([]);
  });
});
