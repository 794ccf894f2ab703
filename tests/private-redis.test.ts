/**
 * The private redis-server of `selfreview run` (no REDIS_URL, nothing on localhost:6379) ends
 * with the process that started it, even one killed with SIGKILL, which cannot stop it itself.
 * A real process starts a real redis-server; the test kills that process and asks the server.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pingRedis } from '@selfreview/shared/redis';
import { findExecutable, tiedToThisProcess } from '@selfreview/shared/redis-server';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { FROM_SOURCE } from './helpers/cli.ts';
import { until } from './helpers/processes.ts';

const CLI_PACKAGE = fileURLToPath(new URL('../packages/cli/', import.meta.url));
const STARTER = `
import { startPrivateRedis } from '@selfreview/shared/redis-server';
const redis = await startPrivateRedis();
process.stdout.write(redis.url + '\\n');
setInterval(() => {}, 1000);
`;

describe('the private redis-server', () => {
  it('is ended when the process that started it is SIGKILLed', async () => {
    const child = spawn(process.execPath, [...FROM_SOURCE, '--input-type=module', '-e', STARTER], {
      cwd: CLI_PACKAGE,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let url = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    try {
      await until('the private redis-server to start', () => out.includes('\n'), 60_000);
      url = out.trim();
      expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await pingRedis(url, 2000)).toBe(true);
      child.kill('SIGKILL');
      await until('the redis-server to stop answering', async () => !(await pingRedis(url, 500)), 20_000);
    } finally {
      child.kill('SIGKILL');
      // Should this test fail, its redis-server must not outlive it either.
      if (url && (await pingRedis(url, 500))) {
        const left = new Redis(url);
        await left.call('shutdown', 'nosave').catch(() => {});
        left.disconnect();
      }
    }
  }, 90_000);

  it('is started through setpriv where there is one, and as it is where there is none', () => {
    expect(tiedToThisProcess(['/usr/bin/redis-server', '--port', '1'], null)).toEqual([
      '/usr/bin/redis-server',
      '--port',
      '1',
    ]);
    const setpriv = findExecutable('setpriv');
    if (setpriv !== null) {
      expect(tiedToThisProcess(['redis-server'])).toEqual([
        setpriv,
        '--pdeathsig',
        'TERM',
        '--',
        'redis-server',
      ]);
    }
  });
});
