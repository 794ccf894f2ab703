/**
 * The limits and modes of the sandbox's runner itself (`runRepositoryCode`, in this process under
 * bubblewrap): a command past its time limit is killed with everything it started, one past its
 * memory limit is stopped, and it sees only the allow-listed environment and no network.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runRepositoryCode, sandboxAtStart } from '@selfreview/shared/sandbox';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers/fix-worker.ts';
import { removeDir, tempDir } from './helpers/git.ts';
import { testRedisUrl } from './helpers/redis.ts';
import { processesWith } from './helpers/sandbox.ts';

describe('runRepositoryCode under the sandbox', () => {
  const log = pino({ level: 'silent' });
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('selfreview-sandbox-run-');
    const ok = await sandboxAtStart({
      env: {
        ...process.env,
        SELFREVIEW_SANDBOX: 'bwrap',
        SELFREVIEW_SANDBOX_PROCESSES: '32',
        SELFREVIEW_SANDBOX_MEMORY_MB: '512',
      },
      log,
      who: 'test',
    });
    expect(ok).toBe(true);
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('kills a command past its time limit with everything it started', async () => {
    const marker = `hang-${randomBytes(4).toString('hex')}`;
    await writeFile(
      path.join(dir, `${marker}.sh`),
      '( while :; do sleep 1; done ) &\n( while :; do sleep 1; done ) &\nwhile :; do :; done\n',
    );
    const started = Date.now();
    const res = await runRepositoryCode('sh', [`${marker}.sh`], { cwd: dir, timeoutMs: 1500 });
    expect(res.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    await until('the sandbox to be gone', async () => (await processesWith(marker)) === 0, 5000);
  });

  it('stops a process at its memory limit', async () => {
    const res = await runRepositoryCode(
      process.execPath,
      ['-e', 'const b = Buffer.alloc(1024 * 1024 * 1024, 1); console.log("allocated", b.length)'],
      { cwd: dir, timeoutMs: 30_000 },
    );
    expect(res.code).not.toBe(0);
    expect(res.stdout).not.toContain('allocated');
  });

  it('gives the command only the allow-listed environment, its own HOME, and no network', async () => {
    const res = await runRepositoryCode(
      process.execPath,
      [
        '-e',
        "const s=require('net').connect(Number(process.argv[1]),'127.0.0.1');s.on('error',e=>{console.log(JSON.stringify({env:process.env,net:e.code}))});s.on('connect',()=>{console.log('CONNECTED');process.exit(0)})",
        new URL(testRedisUrl()).port || '6379',
      ],
      { cwd: dir, timeoutMs: 30_000, env: { EXTRA: 'yes' } },
    );
    expect(res.code).toBe(0);
    const seen = JSON.parse(res.stdout) as { env: Record<string, string>; net: string };
    expect(Object.keys(seen.env).sort()).toEqual(
      ['CI', 'EXTRA', 'FORCE_COLOR', 'HOME', 'LANG', 'NO_COLOR', 'PATH', 'PWD', 'TMPDIR'].sort(),
    );
    expect(seen.env.HOME).toBe('/tmp/home');
    expect(seen.net).toBe('ECONNREFUSED');
  });
});
