/**
 * A redis-server of the test's own, on a loopback port it chooses, that the test can stop and
 * start again on the same port and folder: an operator's Redis restart, with or without AOF.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { pingRedis } from '@selfreview/shared/redis';
import { findExecutable } from '@selfreview/shared/redis-server';

export type OwnRedis = {
  url: string;
  stop: (signal: 'SIGTERM' | 'SIGKILL') => Promise<void>;
};

export async function startRedisServer(opts: {
  port: number;
  dir: string;
  aof: boolean;
  /** More redis-server options, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  args?: string[];
}): Promise<OwnRedis> {
  const bin = findExecutable('redis-server');
  if (!bin) throw new Error('redis-server is needed (the test set-up installs it)');
  const persistence = opts.aof ? ['--appendonly', 'yes'] : ['--appendonly', 'no', '--save', ''];
  const child: ChildProcess = spawn(
    bin,
    [
      '--port',
      String(opts.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      opts.dir,
      ...persistence,
      ...(opts.args ?? []),
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${opts.port}`;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // About 10 s: a fresh server answers within a fraction of that, one loading its AOF too.
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    if (await pingRedis(url, 300)) {
      return {
        url,
        stop: async (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await gone;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${opts.port}`);
}
