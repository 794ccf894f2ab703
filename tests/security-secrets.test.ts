/**
 * Secrets live where repository code never runs. Through the real CLI: `selfreview run --forge`
 * with a forge token in the CLI's environment starts the workers and the publisher with
 * environments of their own; the token reaches the publisher only (read back from
 * /proc/<pid>/environ of the real processes), opens the pull request on a loopback GitHub, and
 * appears in no Redis key, log, report or output. The run goes through a Redis that wants an
 * ACL user's password over TLS (rediss://), and the password appears in no log or output either.
 * A server-mode process refuses a Redis without a password; a run's summary webhook can name
 * only the variable the server configuration names.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { finishRunIfDrained } from '@selfreview/shared/coordinator';
import { REDIS_PASSWORD_PLACEHOLDER } from '@selfreview/shared/redis';
import { RunStore } from '@selfreview/shared/runs';
import { RunReport } from '@selfreview/shared/schemas';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FROM_SOURCE } from './helpers/cli.ts';
import { type FakeGitHub, startFakeGitHub } from './helpers/fake-github.ts';
import { git, makeGuardedRemote, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { childPids, startCli, until } from './helpers/processes.ts';
import { cleanPrefix, connect, testRedisUrl, uniquePrefix } from './helpers/redis.ts';
import { type AuthRedis, connectAuth, startAuthRedis } from './helpers/redis-auth.ts';

// Not shaped like a real token, so no secret scanner mistakes it for one; unique enough to search for.
const TOKEN = 'sr-forge-token-5c1f0e9a7b3d4c26';
const UI_PASSWORD = 'sr-ui-password-0d8e2f41';
const REDIS_ADMIN_PASSWORD = 'sr-redis-admin-9a7c55e1';
const REDIS_USER = { name: 'selfreview', password: 'sr-redis-user-4be0d3f2' };
const PUBLISH_MAIN = fileURLToPath(new URL('../services/fix/src/publish-main.ts', import.meta.url));

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, types: [] },
    include: ['src'],
  }),
  'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
  'src/a.ts': "import { a, b } from './m';\nexport const x = a;\n",
};

const WORKERS = {
  scan: 'services/scan/src/main.ts',
  apply: 'services/apply/src/main.ts',
  fix: 'services/fix/src/main.ts',
  publish: 'services/fix/src/publish-main.ts',
} as const;

/** Every value under the prefix, whatever the key's type, as one text to search. */
async function dumpPrefix(redis: Redis, prefix: string): Promise<{ keys: number; text: string }> {
  let cursor = '0';
  const parts: string[] = [];
  let keys = 0;
  for (let i = 0; i < 10_000; i++) {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    for (const key of batch) {
      keys++;
      const type = await redis.type(key);
      parts.push(key);
      if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      else parts.push(`(${type})`);
    }
    cursor = next;
    if (cursor === '0') break;
  }
  return { keys, text: parts.join('\n') };
}

describe('selfreview run keeps the forge token in the publisher', () => {
  let redisServer: AuthRedis;
  let repo: string;
  let remote: string;
  let dataDir: string;
  let prefix: string;
  let github: FakeGitHub;
  let output = '';
  let report: RunReport;
  const environs: Partial<Record<keyof typeof WORKERS, string>> = {};

  beforeAll(async () => {
    repo = await makeRepo(FILES);
    remote = await makeGuardedRemote(repo);
    dataDir = await tempDir();
    prefix = uniquePrefix('secrets');
    github = await startFakeGitHub({ token: TOKEN });
    redisServer = await startAuthRedis({ password: REDIS_ADMIN_PASSWORD, user: REDIS_USER, tls: true });
    const reportFile = path.join(dataDir, 'report.json');
    const cli = startCli(
      ['run', repo, '--report', reportFile, '--forge', 'github:o/r', '--forge-url', github.url],
      {
        // An ACL user over TLS: every process connects with these credentials.
        REDIS_URL: redisServer.url,
        NODE_EXTRA_CA_CERTS: redisServer.caFile ?? '',
        SELFREVIEW_PREFIX: prefix,
        SELFREVIEW_DATA_DIR: dataDir,
        GITHUB_TOKEN: TOKEN,
        SELFREVIEW_UI_PASSWORD: UI_PASSWORD,
      },
    );
    const pid = cli.child.pid as number;
    // Each worker's environment as the kernel holds it, read while the process runs.
    await until(
      'every worker process to be running',
      async () => {
        for (const [name, entry] of Object.entries(WORKERS) as [keyof typeof WORKERS, string][]) {
          if (environs[name] !== undefined) continue;
          const [child] = await childPids(pid, entry);
          if (child) {
            const environ = await readFile(`/proc/${child}/environ`, 'utf8').catch(() => null);
            if (environ) environs[name] = environ;
          }
        }
        return Object.keys(environs).length === Object.keys(WORKERS).length || cli.child.exitCode !== null;
      },
      120_000,
    );
    const result = await cli.result;
    output = cli.output();
    if (result.code !== 0) throw new Error(`selfreview run failed (${result.code}): ${output}`);
    report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    // A whole run: five processes starting and working on two shared cores.
  }, 240_000);

  afterAll(async () => {
    await github.close();
    await redisServer?.stop();
    await removeDir(repo);
    await removeDir(remote);
    await removeDir(dataDir);
  });

  it('proposes the fix with the token (so the token was really there to leak)', async () => {
    expect(report.pullRequests).toHaveLength(1);
    expect(report.pullRequests[0]).toMatchObject({ status: 'opened', forge: 'github' });
    expect(github.pulls).toHaveLength(1);
    const branch = report.pullRequests[0]?.branch ?? '';
    expect(await git(remote, 'rev-parse', `refs/heads/${branch}`)).toBe(
      await git(repo, 'rev-parse', `refs/heads/${branch}`),
    );
  });

  it('only the publisher has the token in its environment; no worker has the UI password', () => {
    const vars = (name: keyof typeof WORKERS) => (environs[name] ?? '').split('\0');
    expect(vars('publish')).toContain(`GITHUB_TOKEN=${TOKEN}`);
    for (const name of ['scan', 'apply', 'fix'] as const) {
      expect(environs[name]).toBeDefined();
      expect(environs[name]).not.toContain(TOKEN);
      expect(vars(name).some((v) => v.startsWith('GITHUB_TOKEN='))).toBe(false);
    }
    for (const name of Object.keys(WORKERS) as (keyof typeof WORKERS)[]) {
      expect(environs[name]).not.toContain(UI_PASSWORD);
      // Told apart by their settings: the publisher's comes from the CLI's options.
      expect(vars(name).some((v) => v.startsWith('SELFREVIEW_RUN_PUBLISH='))).toBe(name === 'publish');
    }
  });

  it('no Redis key under the prefix, no log line, no report and no output holds the token', async () => {
    const redis = connectAuth(redisServer);
    try {
      const dump = await dumpPrefix(redis, prefix);
      expect(dump.keys).toBeGreaterThan(5);
      // The search would find it: the pull request's URL is in the run's record.
      expect(dump.text).toContain(github.pulls[0]?.htmlUrl ?? '(no pull request)');
      expect(dump.text).not.toContain(TOKEN);
    } finally {
      redis.disconnect();
    }
    const runsDir = path.join(dataDir, 'runs');
    const [runDir] = await readdir(runsDir);
    const files = await readdir(path.join(runsDir, runDir ?? ''));
    expect(files).toEqual(expect.arrayContaining(['fix.log', 'publish.log', 'report.json']));
    for (const file of files) {
      const text = await readFile(path.join(runsDir, runDir ?? '', file), 'utf8');
      expect(text, file).not.toContain(TOKEN);
      expect(text, file).not.toContain(REDIS_USER.password);
    }
    expect(await readFile(path.join(runsDir, runDir ?? '', 'publish.log'), 'utf8')).toContain(
      'batch proposed',
    );
    expect(JSON.stringify(report)).not.toContain(TOKEN);
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(REDIS_USER.password);
    expect(output).toContain('Redis: REDIS_URL');
    for (const r of github.requests) {
      expect(r.path).not.toContain(TOKEN);
      expect(r.body).not.toContain(TOKEN);
    }
  });
});

describe('Redis credentials in server mode', () => {
  let dir: string;
  let config: string;
  let redisServer: AuthRedis;

  beforeAll(async () => {
    dir = await tempDir();
    config = path.join(dir, 'server.yaml');
    await writeFile(config, `repositories:\n  - name: demo\n    path: ${dir}\n`);
    redisServer = await startAuthRedis({ password: REDIS_ADMIN_PASSWORD });
  });
  afterAll(async () => {
    await redisServer?.stop();
    await removeDir(dir);
  });

  /** The publisher as a deployment starts it; resolves with its exit code (or null once it said it is ready). */
  const startPublisher = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, PUBLISH_MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        SELFREVIEW_PREFIX: uniquePrefix('auth'),
        SELFREVIEW_DATA_DIR: dir,
        SELFREVIEW_SERVER_CONFIG: config,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const outcome = new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      const onData = (c: Buffer) => {
        output += c.toString();
        if (output.includes('worker ready')) child.kill('SIGTERM');
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(output.includes('worker ready') ? null : code);
      });
    });
    return { outcome, output: () => output };
  };

  it('a process refuses to start against a Redis that answers without a password', async () => {
    const p = startPublisher({ REDIS_URL: testRedisUrl() });
    expect(await p.outcome).toBe(2);
    expect(p.output()).toContain('answers without a password');
    expect(p.output()).toContain('SELFREVIEW_REDIS_AUTH=optional');
  });

  it('SELFREVIEW_REDIS_AUTH=optional lets it start anyway; a bad value is refused', async () => {
    expect(
      await startPublisher({ REDIS_URL: testRedisUrl(), SELFREVIEW_REDIS_AUTH: 'optional' }).outcome,
    ).toBe(null);
    const bad = startPublisher({ REDIS_URL: testRedisUrl(), SELFREVIEW_REDIS_AUTH: 'maybe' });
    expect(await bad.outcome).toBe(2);
    expect(bad.output()).toContain('SELFREVIEW_REDIS_AUTH must be required or optional');
  });

  it("refuses a Redis still using infra/redis.conf's placeholder password", async () => {
    const placeholder = await startAuthRedis({ password: REDIS_PASSWORD_PLACEHOLDER });
    try {
      const p = startPublisher({ REDIS_URL: placeholder.url });
      expect(await p.outcome).toBe(2);
      expect(p.output()).toContain('still has the placeholder password of infra/redis.conf');
    } finally {
      await placeholder.stop();
    }
  });

  it('starts against a Redis with a password, and never prints the password', async () => {
    const p = startPublisher({ REDIS_URL: redisServer.url, LOG_LEVEL: 'debug' });
    expect(await p.outcome).toBe(null);
    expect(p.output()).not.toContain(REDIS_ADMIN_PASSWORD);
  });
});

describe('run summaries go only where the server configuration says', () => {
  const prefix = uniquePrefix('notify');
  const redis = connect();
  const runs = new RunStore(redis, prefix);
  const log = pino({ level: 'silent' });
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(dir);
  });

  const run = async (runId: string, notifyEnv: string) => {
    await runs.create({
      runId,
      repoPath: '/srv/repo',
      baseBranch: 'main',
      baseSha: '0123456789abcdef0123456789abcdef01234567',
      startedAt: new Date().toISOString(),
    });
    // As an edited trigger job (or an edited run record) would leave it.
    await runs.setMeta(runId, { notifyEnv });
  };

  it('in server mode, a run naming another variable (a token) posts nothing and says so without the value', async () => {
    const config = path.join(dir, 'server.yaml');
    await writeFile(config, 'repositories: []\nnotify:\n  webhookUrlEnv: TEAM_HOOK\n');
    const posted: string[] = [];
    const fetchImpl = (async (url: string) => {
      posted.push(String(url));
      return new Response('ok');
    }) as unknown as typeof fetch;
    const env = {
      SELFREVIEW_SERVER_CONFIG: config,
      GITHUB_TOKEN: `https://${TOKEN}.example/`,
      TEAM_HOOK: 'https://hooks.example/T0/B0/x',
    };
    await run('edited', 'GITHUB_TOKEN');
    expect(await finishRunIfDrained({ redis, prefix, runs, runId: 'edited', env, log, fetchImpl })).toBe(
      true,
    );
    expect(posted).toEqual([]);
    expect(await runs.warnings('edited')).toEqual([
      "no run summary posted: the run names GITHUB_TOKEN, which is not the server configuration's summary webhook variable",
    ]);

    await run('configured', 'TEAM_HOOK');
    await finishRunIfDrained({ redis, prefix, runs, runId: 'configured', env, log, fetchImpl });
    expect(posted).toEqual(['https://hooks.example/T0/B0/x']);
    expect((await dumpPrefix(redis, prefix)).text).not.toContain(TOKEN);
  });

  it('a variable that does not hold a URL is never posted to, nor repeated in a warning', async () => {
    await run('not-a-url', 'GITHUB_TOKEN');
    const env = { GITHUB_TOKEN: TOKEN };
    await finishRunIfDrained({ redis, prefix, runs, runId: 'not-a-url', env, log });
    expect(await runs.warnings('not-a-url')).toEqual([
      'no run summary posted: GITHUB_TOKEN does not hold an http(s) URL',
    ]);
    expect((await dumpPrefix(redis, prefix)).text).not.toContain(TOKEN);
  });
});
