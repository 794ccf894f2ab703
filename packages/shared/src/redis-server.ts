/**
 * Finding a Redis to use: REDIS_URL if set, else one on localhost:6379, else a
 * private `redis-server` started on a free loopback port (and stopped after).
 * Used by the CLI and by the test set-up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UserInputError } from './errors.ts';
import { redactUrl } from './logger.ts';
import { pingRedis } from './redis.ts';

export type ProvidedRedis = {
  url: string;
  source: 'REDIS_URL' | 'localhost' | 'private';
  stop: () => Promise<void>;
};

export const INSTALL_HINT =
  'Redis is not running and redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL';

export function findExecutable(name: string, envPath = process.env.PATH ?? ''): string | null {
  for (const dir of [...envPath.split(':'), '/usr/sbin', '/usr/local/sbin', '/usr/bin']) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function provideRedis(
  env: NodeJS.ProcessEnv = process.env,
  opts: { allowLocalhost?: boolean } = {},
): Promise<ProvidedRedis> {
  const noop = async () => {};
  if (env.REDIS_URL) {
    if (!(await pingRedis(env.REDIS_URL, 3000))) {
      throw new UserInputError(`REDIS_URL ${redactUrl(env.REDIS_URL)} does not answer`);
    }
    return { url: env.REDIS_URL, source: 'REDIS_URL', stop: noop };
  }
  const local = 'redis://127.0.0.1:6379';
  if ((opts.allowLocalhost ?? true) && (await pingRedis(local, 1000))) {
    return { url: local, source: 'localhost', stop: noop };
  }
  return startPrivateRedis();
}

/**
 * How to start `argv` so that it gets SIGTERM when this process dies, even by SIGKILL: through
 * util-linux's `setpriv --pdeathsig`, which sets the parent-death signal and executes it (same
 * process). Where there is no `setpriv` (not Linux), as it is: then only `stop()` ends it.
 */
export function tiedToThisProcess(
  argv: readonly string[],
  setpriv: string | null = process.platform === 'linux' ? findExecutable('setpriv') : null,
): string[] {
  return setpriv ? [setpriv, '--pdeathsig', 'TERM', '--', ...argv] : [...argv];
}

/**
 * A throw-away redis-server: loopback only, no persistence, its files in a temporary folder. It
 * ends with this process, however this process ends (see tiedToThisProcess).
 */
export async function startPrivateRedis(): Promise<ProvidedRedis> {
  const bin = findExecutable('redis-server');
  if (!bin) throw new UserInputError(INSTALL_HINT);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-redis-'));
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const [command, ...args] = tiedToThisProcess([
      bin,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--protected-mode',
      'yes',
    ]);
    const child: ChildProcess = spawn(command as string, args, { stdio: 'ignore' });
    const url = `redis://127.0.0.1:${port}`;
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    for (let i = 0; i < 50 && !exited; i++) {
      if (await pingRedis(url, 500)) {
        return {
          url,
          source: 'private',
          stop: async () => {
            if (!exited) {
              const gone = new Promise((r) => child.once('exit', r));
              child.kill('SIGTERM');
              await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
            }
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
  throw new UserInputError(`could not start ${bin} on a loopback port`);
}
