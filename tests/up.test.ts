/**
 * `selfreview up` end to end, as a team runs it: the gateway, the three workers and the
 * publisher as real processes on a Redis that wants a password (server mode refuses one that
 * does not), a signed push webhook over HTTP on 127.0.0.1, and the run it starts followed
 * through the API until its fix branch exists. Ctrl-C stops everything. The built code (dist/),
 * as `./selfreview up` runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@selfreview/shared/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, build } from './helpers/build.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { uniquePrefix } from './helpers/redis.ts';
import { type AuthRedis, startAuthRedis } from './helpers/redis-auth.ts';

const SECRET = 'up-test-webhook-secret';
const AUTH = `Basic ${Buffer.from('ops:up-test-password').toString('base64')}`;
const REDIS_PASSWORD = 'up-test-redis-password-61c2';

describe('selfreview up', () => {
  let repo: string;
  let dataDir: string;
  let prefix: string;
  let port: number;
  let up: ChildProcess;
  let output = '';
  let base: string;
  let redis: AuthRedis;

  beforeAll(async () => {
    // The built CLI and workers, as `./selfreview up` runs them (minutes when built from scratch).
    await build();
    repo = await makeRepo({
      'tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, types: [] },
        include: ['src'],
      }),
      'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
      'src/a.ts': "import { a } from './m';\nexport const x = a;\n",
    });
    base = await git(repo, 'rev-parse', 'HEAD');
    dataDir = await tempDir();
    prefix = uniquePrefix('up');
    port = await freePort();
    // The ACL user infra/redis.conf suggests, limited to the deployment's prefix.
    redis = await startAuthRedis({
      password: 'up-test-admin-password-0f1e',
      user: {
        name: 'selfreview',
        password: REDIS_PASSWORD,
        rules: [`~${prefix}:*`, '&*', '+@all', '-@dangerous', '+info', '+config|get'],
      },
    });
    const config = path.join(dataDir, 'selfreview.server.yaml');
    await writeFile(
      config,
      [
        'repositories:',
        '  - name: demo',
        `    path: ${repo}`,
        '    project: octo/demo',
        '    branch: main',
        '    webhooks:',
        '      github: { secretEnv: DEMO_WEBHOOK_SECRET }',
        '',
      ].join('\n'),
    );
    up = spawn(process.execPath, [BUILT_CLI, 'up', '--config', config, '--port', String(port)], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        // redis://selfreview:password@127.0.0.1:port
        REDIS_URL: redis.url,
        SELFREVIEW_PREFIX: prefix,
        SELFREVIEW_DATA_DIR: dataDir,
        DEMO_WEBHOOK_SECRET: SECRET,
        SELFREVIEW_UI_USER: 'ops',
        SELFREVIEW_UI_PASSWORD: 'up-test-password',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    up.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    up.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200,
      120,
    );
  }, 600_000);

  afterAll(async () => {
    if (up.exitCode === null) {
      up.kill('SIGKILL');
      await new Promise((r) => up.once('exit', r));
    }
    await redis?.stop();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  it('a signed push starts a run that scans the pushed change and fixes it on a branch', async () => {
    await writeFile(path.join(repo, 'src/a.ts'), "import { a, b } from './m';\nexport const x = a;\n");
    await git(repo, 'add', 'src/a.ts');
    await git(repo, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-q', '-m', 'import b');
    const after = await git(repo, 'rev-parse', 'HEAD');
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: base,
      after,
      repository: { full_name: 'octo/demo', clone_url: 'https://github.com/octo/demo.git' },
      commits: [{ id: after, added: [], modified: ['src/a.ts'], removed: [] }],
    });
    const res = await fetch(`http://127.0.0.1:${port}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'up-delivery-1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    expect(res.status).toBe(202);

    type RunSummary = { runId: string; done: boolean; repoName?: string };
    let run: RunSummary | undefined;
    await waitFor(async () => {
      const list = await fetch(`http://127.0.0.1:${port}/api/runs`, { headers: { authorization: AUTH } });
      run = ((await list.json()) as { runs: RunSummary[] }).runs.find((r) => r.repoName === 'demo');
      return run?.done === true;
    }, 480);
    const report = (await (
      await fetch(`http://127.0.0.1:${port}/api/runs/${run?.runId}/report`, {
        headers: { authorization: AUTH },
      })
    ).json()) as {
      repo: { baseSha: string };
      candidates: { file: string; rule: string }[];
      fixes: { status: string; branch: string }[];
    };
    expect(report.repo.baseSha).toBe(after);
    expect(report.candidates.map((c) => [c.file, c.rule])).toContainEqual(['src/a.ts', 'unused-import']);
    const committed = report.fixes.find((f) => f.status === 'committed');
    expect(committed).toBeDefined();
    expect(await git(repo, 'show', `${committed?.branch}:src/a.ts`)).toBe(
      "import { a } from './m';\nexport const x = a;",
    );
  });

  it('stops all its processes on Ctrl-C', async () => {
    const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
    up.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('selfreview up: gateway on');
    expect(output).toContain('workers scan, apply, fix, publish');
    expect(output).toContain('stopped');
    // Every process connected with the password; none printed it.
    expect(output).toContain(`Redis redis://[redacted]@127.0.0.1:${redis.port}`);
    expect(output).not.toContain(REDIS_PASSWORD);
    const logs = path.join(dataDir, 'up');
    const files = await readdir(logs);
    expect(files.sort()).toEqual(['apply.log', 'fix.log', 'gateway.log', 'publish.log', 'scan.log']);
    for (const file of files) {
      const text = await readFile(path.join(logs, file), 'utf8');
      expect(text, file).not.toContain(REDIS_PASSWORD);
      expect(text, file).not.toContain('answers without a password');
      // The ACL user's rules are enough for every process.
      expect(text, file).not.toContain('NOPERM');
    }
  });
});

/** Polls every 250 ms, at most `tries` times. */
async function waitFor(check: () => Promise<boolean>, tries: number): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('condition not reached in time');
}
