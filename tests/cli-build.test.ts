/**
 * The built code, as `./selfreview` runs it: after `pnpm build`, plain `node` runs the CLI from
 * packages/cli/dist, the CLI starts its workers from their packages' dist/, and a built worker
 * starts. The other process tests run the TypeScript sources (FROM_SOURCE), with no build.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_CLI, build, ROOT } from './helpers/build.ts';
import { removeDir, tempDir } from './helpers/git.ts';
import { until } from './helpers/processes.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const exec = promisify(execFile);
const built = (file: string) => path.join(ROOT, file);
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

describe('the built code', () => {
  beforeAll(build, 600_000);

  it('node packages/cli/dist/main.js help exits 0', async () => {
    const { stdout } = await exec(process.execPath, [BUILT_CLI, 'help'], {
      env: ENV,
    });
    expect(stdout).toMatch(/^Usage: selfreview <command>/);
  });

  it('the built CLI starts each process from its built entry, with plain node', async () => {
    const workers = pathToFileURL(built('packages/cli/dist/workers.js')).href;
    const script = [
      `const { entryPointOf, nodeArgs } = await import(${JSON.stringify(workers)});`,
      "const names = ['gateway', 'scan', 'apply', 'fix', 'publish'];",
      'console.log(JSON.stringify(names.map((n) => nodeArgs(entryPointOf(n)))));',
    ].join('\n');
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { env: ENV });
    expect(JSON.parse(stdout)).toEqual([
      [built('services/gateway/dist/main.js')],
      [built('services/scan/dist/main.js')],
      [built('services/apply/dist/main.js')],
      [built('services/fix/dist/main.js')],
      [built('services/fix/dist/publish-main.js')],
    ]);
  });

  describe('a built worker', () => {
    const prefix = uniquePrefix('built');
    let dataDir: string;
    let worker: ChildProcess | null = null;

    beforeAll(async () => {
      dataDir = await tempDir();
    });

    afterAll(async () => {
      if (worker && worker.exitCode === null) worker.kill('SIGKILL');
      const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
      await cleanPrefix(redis, prefix);
      redis.disconnect();
      await removeDir(dataDir);
    });

    it('the scan worker from services/scan/dist gets ready and stops on SIGTERM', async () => {
      const child = spawn(process.execPath, [built('services/scan/dist/main.js')], {
        env: {
          ...ENV,
          REDIS_URL: testRedisUrl(),
          SELFREVIEW_PREFIX: prefix,
          SELFREVIEW_DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      worker = child;
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.stderr?.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await until('"worker ready" from the built scan worker', () => out.includes('worker ready'), 60_000);
      child.kill('SIGTERM');
      expect(await exited, out).toBe(0);
    });
  });
});
