/**
 * The sandbox for repository code, for real (bubblewrap, a real fix worker process, real
 * Redis and git). A hostile repository's test script, and in another repository its
 * `fix.setup` command (tests/fixtures/security-probe/probe.cjs), try to read the worker's
 * secrets (its environment through /proc and its own, ~/.ssh/id_rsa, ~/.git-credentials,
 * ~/.npmrc of the worker's HOME), to write outside the worktree (the user's checkout, the data
 * folder, the host's /tmp, the linked node_modules), to reach Redis and a loopback HTTP server,
 * and to start processes without end; a third runs a fork bomb past its time limit. Every
 * attempt fails, each batch reports its tests failed or timed out, no secret is in the
 * worker's log, the results, the warnings, the report or any Redis key of the run, and the
 * same worker then commits a batch of a fourth repository.
 * The runner's own limits are in security-sandbox-runner.test.ts, its modes (server mode
 * refuses to start without the sandbox, outside it a run is warned) in security-sandbox-modes.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { buildReport } from '@selfreview/shared/report';
import { RunStore } from '@selfreview/shared/runs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneFileBatch, startFixWorker, until, type WorkerProc } from './helpers/fix-worker.ts';
import { FIXTURES, git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, testRedisUrl, uniquePrefix } from './helpers/redis.ts';
import { processesWith, sandboxSources } from './helpers/sandbox.ts';

const PROBE = path.join(FIXTURES, 'security-probe', 'probe.cjs');
const PROCESS_LIMIT = 64;

/** Every key of `prefix` with its value, as one text. */
async function redisDump(redis: Redis, prefix: string): Promise<string> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? await redis.hgetall(key)
            : type === 'list'
              ? await redis.lrange(key, 0, -1)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, '0', '-1')
                  : type === 'stream'
                    ? await redis.xrange(key, '-', '+')
                    : null;
      out.push(`${key} ${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return out.join('\n');
}

/** `PROBE k=v ...` as a map, from the text that holds it. */
function probeLine(text: string): Record<string, string> {
  const line = /PROBE ((?:\S+=\S+ ?)+)/.exec(text)?.[1];
  if (!line) throw new Error(`no probe line in: ${text}`);
  return Object.fromEntries(
    line
      .trim()
      .split(' ')
      .map((kv) => kv.split('=') as [string, string]),
  );
}

describe('repository code in the sandbox, through a real fix worker', () => {
  const redis = connect();
  const prefix = uniquePrefix('sandbox');
  const runs = new RunStore(redis, prefix);
  const lifecycle = new RunLifecycle(redis, prefix);
  const queue = new Queue('fix', { connection: redis, prefix });
  const tag = randomBytes(6).toString('hex');
  const secrets = {
    GITHUB_TOKEN: `sekret-gh-${tag}`,
    ANTHROPIC_API_KEY: `sekret-ant-${tag}`,
    ssh: `sekret-ssh-${tag}`,
    cred: `sekret-cred-${tag}`,
    npm: `sekret-npm-${tag}`,
  };
  const dirs: string[] = [];
  let worker: WorkerProc;
  let home: string;
  let dataDir: string;
  let scratch: string;
  let httpConnections = 0;
  let closeHttp: () => Promise<void> = async () => {};
  let httpPort = 0;

  beforeAll(async () => {
    home = await tempDir('selfreview-home-');
    dataDir = await tempDir('selfreview-data-');
    scratch = await tempDir('selfreview-scratch-');
    dirs.push(home, dataDir, scratch);
    await mkdir(path.join(home, '.ssh'), { recursive: true });
    await writeFile(path.join(home, '.ssh', 'id_rsa'), `-----BEGIN KEY-----\n${secrets.ssh}\n`);
    await writeFile(path.join(home, '.git-credentials'), `https://me:${secrets.cred}@github.com\n`);
    await writeFile(path.join(home, '.npmrc'), `//registry.npmjs.org/:_authToken=${secrets.npm}\n`);
    const server = createServer((_req, res) => res.end('ok'));
    server.on('connection', () => {
      httpConnections++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    httpPort = (server.address() as AddressInfo).port;
    closeHttp = () => new Promise((resolve) => server.close(() => resolve()));

    // The secrets are in the environment the worker process starts with (what /proc shows).
    worker = startFixWorker({
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      HOME: home,
      GITHUB_TOKEN: secrets.GITHUB_TOKEN,
      ANTHROPIC_API_KEY: secrets.ANTHROPIC_API_KEY,
      // The key stays in the environment, but the model is off (no network here).
      SELFREVIEW_MODEL_API_KEY_ENV: 'SELFREVIEW_TEST_NO_MODEL_KEY',
      SELFREVIEW_SANDBOX: 'bwrap',
      SELFREVIEW_SANDBOX_PROCESSES: String(PROCESS_LIMIT),
    });
    await until('the fix worker to be ready', () => worker.output().includes('worker ready'), 60_000);
  }, 90_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await queue.close();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await closeHttp();
    for (const d of dirs) await removeDir(d);
  });

  /** A repository of `files`, with probe-targets.json and an installed node_modules/leftpad. */
  async function hostileRepo(files: Record<string, string>): Promise<string> {
    const repo = await makeRepo(files);
    dirs.push(repo);
    await copyFile(PROBE, path.join(repo, 'probe.cjs'));
    const redisPort = Number(new URL(testRedisUrl()).port || 6379);
    await writeFile(
      path.join(repo, 'probe-targets.json'),
      JSON.stringify({ home, repo, dataDir, scratch, redisPort, httpPort, redisKey: `${prefix}:pwned` }),
    );
    await git(repo, 'add', '--all');
    await git(repo, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '--quiet', '-m', 'probe');
    await mkdir(path.join(repo, 'node_modules', 'leftpad'), { recursive: true });
    await writeFile(path.join(repo, 'node_modules', 'leftpad', 'index.js'), 'module.exports = 1;\n');
    return repo;
  }

  /** Runs one batch of `src/a.ts` through the worker and waits until the run has no open fix job. */
  async function batch(repo: string, files: Record<string, string>, runId: string): Promise<void> {
    const baseSha = await git(repo, 'rev-parse', 'HEAD');
    await runs.create({
      runId,
      repoPath: repo,
      baseBranch: 'main',
      baseSha,
      startedAt: new Date().toISOString(),
    });
    const job = oneFileBatch(files, 'src/a.ts', { runId, repo, baseSha, batchId: `${runId}-b-1` });
    expect(job.files[0]?.items.length).toBeGreaterThan(0);
    await lifecycle.openJobs(runId, 'fix', [job.batchId]);
    await queue.add('fix-batch', job, { jobId: job.batchId });
    await until(`${runId} to drain`, async () => (await lifecycle.progress(runId)).open.fix === 0, 180_000);
  }

  const digest = async (file: string) =>
    createHash('sha256')
      .update(await readFile(file))
      .digest('hex');

  it("a hostile test script and fix.setup command reach none of the worker's secrets, files or services", async () => {
    const filesA = sandboxSources({
      fix: { test: { command: ['node', 'probe.cjs', 'probe'], timeoutSeconds: 60 } },
    });
    const repoA = await hostileRepo(filesA);
    const filesB = sandboxSources({
      fix: {
        setup: { command: ['node', 'probe.cjs', 'probe', '.probe-setup.txt'], timeoutSeconds: 60 },
        test: { command: ['node', 'probe.cjs', 'report', '.probe-setup.txt'] },
      },
    });
    const repoB = await hostileRepo(filesB);
    const leftpad = path.join(repoA, 'node_modules', 'leftpad', 'index.js');
    const before = await digest(leftpad);

    await batch(repoA, filesA, 'run-test-script');
    await batch(repoB, filesB, 'run-setup');

    for (const runId of ['run-test-script', 'run-setup']) {
      const results = await runs.fixResults(runId);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ status: 'failed', commit: null, verification: { tests: 'fail' } });
      const seen = probeLine(results[0]?.reason ?? '');
      console.log(`${runId}: ${results[0]?.reason}`);
      // Nothing secret anywhere it looked, its HOME not the worker's, and only its own processes.
      expect(seen, runId).toMatchObject({
        env: 'clean',
        home: 'own',
        ppid: expect.not.stringMatching(/LEAK/),
      });
      expect(seen.pid1).not.toBe('LEAK');
      const [visible, procLeak] = (seen.procs ?? '').split(':');
      expect(procLeak).toBe('clean');
      expect(Number(visible)).toBeLessThan(10);
      for (const key of ['ssh', 'cred', 'npmrc', 'myssh', 'mycred']) expect(seen[key], key).toBe('ENOENT');
      // The installed packages are read-only: through the worktree's links and at their own path.
      for (const key of ['wnm', 'wnmabs']) expect(seen[key], key).toMatch(/^(EROFS|EACCES)$/);
      // The worktree's node_modules is its own folder of links (tools write caches there): a new
      // file lands in the throwaway worktree, never in the installed folder (checked below).
      expect(seen.wnmnew).toBe('written');
      // No network at all: not Redis, not the loopback server.
      expect(seen.redis).toMatch(/^(ECONNREFUSED|ENETUNREACH)$/);
      expect(seen.http).toMatch(/^(ECONNREFUSED|ENETUNREACH)$/);
      // Processes: refused at the limit (the script's own node threads count too).
      const [started, refused] = (seen.forks ?? '').split(':');
      expect(refused).toBe('EAGAIN');
      expect(Number(started)).toBeGreaterThan(5);
      expect(Number(started)).toBeLessThan(PROCESS_LIMIT);
    }
    // What the script "wrote" outside its worktree went to the sandbox's own /tmp, not the host's.
    for (const dir of [repoA, repoB, dataDir, scratch])
      expect(existsSync(path.join(dir, 'PWNED')), dir).toBe(false);
    expect(await digest(leftpad)).toBe(before);
    expect(await readdir(path.join(repoA, 'node_modules'))).toEqual(['leftpad']);
    expect(httpConnections).toBe(0);
    expect(await redis.exists(`${prefix}:pwned`)).toBe(0);
  }, 300_000);

  it('a fork bomb past its time limit stays under the process limit, is killed whole, and the batch says its tests timed out', async () => {
    const marker = `bomb-${tag}`;
    const files = {
      // bash, not dash: a subshell that cannot fork retries and stays, as a real bomb's do.
      ...sandboxSources({ fix: { test: { command: ['bash', `test/${marker}.sh`], timeoutSeconds: 4 } } }),
      // At the base commit it passes; after the fix, a fork bomb whose processes all stay
      // (each starts two and waits for them), and a loop that never ends.
      [`test/${marker}.sh`]: [
        'grep -q unusedMarker src/a.ts && exit 0',
        'bomb() { bomb & bomb & wait; }',
        'bomb 2>/dev/null &',
        'while :; do :; done',
        '',
      ].join('\n'),
    };
    const repo = await hostileRepo(files);
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      // Bounded: the batch ends within its time limit, and so does this.
      for (let i = 0; i < 3000 && sampling; i++) {
        most = Math.max(most, await processesWith(marker, 'bash'));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await batch(repo, files, 'run-bomb');
    sampling = false;
    await sampler;

    const results = await runs.fixResults('run-bomb');
    expect(results).toMatchObject([{ status: 'failed', verification: { tests: 'fail' } }]);
    expect(results[0]?.reason).toMatch(/tests timed out after 4 s/);
    console.log(`fork bomb: at most ${most} of its processes at once (limit ${PROCESS_LIMIT}), none left`);
    // It filled the limit (the processes it could not start are what kept it there), never more.
    expect(most).toBeGreaterThan(PROCESS_LIMIT - 8);
    expect(most).toBeLessThanOrEqual(PROCESS_LIMIT);
    expect(await processesWith(marker)).toBe(0);
  }, 300_000);

  it('the worker keeps serving: a batch of another repository commits; no secret in its log, results, warnings, report or Redis', async () => {
    const files = sandboxSources({
      fix: { test: { command: ['node', '-e', "require('fs').readFileSync('src/a.ts')"] } },
    });
    const repo = await makeRepo(files);
    dirs.push(repo);
    await batch(repo, files, 'run-clean');
    expect(await runs.fixResults('run-clean')).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'pass' } },
    ]);
    expect(worker.child.exitCode).toBeNull();

    const texts = [worker.output()];
    for (const runId of ['run-test-script', 'run-setup', 'run-bomb', 'run-clean']) {
      texts.push(JSON.stringify(await runs.fixResults(runId)), JSON.stringify(await runs.warnings(runId)));
      const input = await runs.reportInput(runId);
      if (!input) throw new Error(`no record of ${runId}`);
      texts.push(JSON.stringify(buildReport({ ...input, finishedAt: new Date().toISOString() })));
    }
    texts.push(await redisDump(redis, prefix));
    const all = texts.join('\n');
    expect(all).toContain('PROBE');
    for (const value of Object.values(secrets)) expect(all).not.toContain(value);
    expect(all).not.toContain('sekret');
  }, 300_000);
});
