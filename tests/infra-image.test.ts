/**
 * The image's runtime tree without a container engine: infra/docker/runtime-tree.sh (the
 * Dockerfile's step) makes the production-only tree from this checkout's build into a temporary
 * folder, and infra/docker/entrypoint.sh starts each process from it as the container would:
 * each reaches its ready line, its health check passes through the entrypoint, and SIGTERM stops
 * it with exit code 0. On a private redis-server.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@selfreview/shared/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, ROOT } from './helpers/build.ts';
import { removeDir, tempDir } from './helpers/git.ts';
import { childPids, until } from './helpers/processes.ts';
import { type OwnRedis, startRedisServer } from './helpers/redis-server.ts';

const PATH = `${path.join(ROOT, '.tools/bin')}:${process.env.PATH ?? ''}`;

function run(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeout = 120_000,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, PATH, ...env }, timeout, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: stdout + stderr });
      },
    );
  });
}

type Proc = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function start(entrypoint: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(entrypoint, args, {
    env: { PATH, HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('the image runtime tree and its entrypoint', () => {
  let tree: string;
  let redis: OwnRedis;
  let redisDir: string;
  let dataDir: string;
  let healthDir: string;
  let env: Record<string, string>;
  const procs: Proc[] = [];

  beforeAll(async () => {
    await build();
    tree = await tempDir('selfreview-image-');
    const made = await run('sh', [path.join(ROOT, 'infra/docker/runtime-tree.sh'), ROOT, tree], {}, 300_000);
    if (made.code !== 0) throw new Error(`runtime-tree.sh failed:\n${made.out}`);
    redisDir = await tempDir();
    dataDir = await tempDir();
    healthDir = await tempDir();
    redis = await startRedisServer({
      port: await freePort(),
      dir: redisDir,
      aof: true,
      args: ['--maxmemory-policy', 'noeviction'],
    });
    env = {
      REDIS_URL: redis.url,
      SELFREVIEW_PREFIX: `image${process.pid}`,
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_HEALTH_DIR: healthDir,
      LOG_LEVEL: 'info',
    };
  }, 400_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis?.stop('SIGKILL');
    for (const dir of [tree, redisDir, dataDir, healthDir]) if (dir) await removeDir(dir);
  });

  it('holds production dependencies only, in the workspace layout', async () => {
    for (const svc of ['scan', 'apply', 'fix', 'gateway'])
      expect(existsSync(path.join(tree, `services/${svc}/dist/main.js`))).toBe(true);
    expect(existsSync(path.join(tree, 'services/fix/dist/publish-main.js'))).toBe(true);
    expect(existsSync(path.join(tree, 'packages/cli/dist/main.js'))).toBe(true);
    // No sources, no tests, no root devDependencies (vitest, biome, turbo).
    expect(existsSync(path.join(tree, 'services/scan/src'))).toBe(false);
    const store = await readdir(path.join(tree, 'node_modules/.pnpm'));
    for (const dev of ['vitest@', '@biomejs+biome@', 'turbo@', 'dependency-cruiser@'])
      expect(store.filter((d) => d.startsWith(dev))).toEqual([]);
    // The native compiler scan uses (typescript@7's platform package) is there.
    const found = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(path.join(tree, 'services/scan/dist/engine/native-tsc.js'))}); console.log(await m.findNativeTsc());`,
      ],
      {},
    );
    expect(found.out.trim()).toMatch(/tsc$/);
  });

  const cases: { what: string; ready: string }[] = [
    { what: 'scan', ready: 'worker ready' },
    { what: 'apply', ready: 'worker ready' },
    { what: 'fix', ready: 'worker ready' },
    { what: 'publish', ready: 'worker ready' },
    { what: 'gateway', ready: 'gateway listening' },
  ];
  for (const c of cases) {
    it(`starts ${c.what}, passes its health check, stops on SIGTERM`, async () => {
      const entrypoint = path.join(tree, 'infra/docker/entrypoint.sh');
      const port = String(await freePort());
      const own = {
        ...env,
        ...(c.what === 'gateway'
          ? {
              SELFREVIEW_SERVER_CONFIG: path.join(ROOT, 'infra/selfreview.server.example.yaml'),
              SELFREVIEW_REDIS_AUTH: 'optional',
              SELFREVIEW_GATEWAY_HOST: '127.0.0.1',
              SELFREVIEW_GATEWAY_PORT: port,
            }
          : {}),
      };
      const p = start(entrypoint, [c.what], own);
      procs.push(p);
      await until(
        `${c.what}: ${c.ready}`,
        () => p.output().includes(c.ready) || p.child.exitCode !== null,
        90_000,
      );
      expect(p.child.exitCode, p.output()).toBeNull();
      // The command the entrypoint exec'd is the process itself (PID 1 in a container).
      expect(p.output()).toMatch(
        c.what === 'gateway' ? /"name":"gateway"/ : new RegExp(`"name":"${c.what}"`),
      );
      let health = { code: -1, out: '' };
      await until(
        `${c.what} healthy`,
        async () => {
          health = await run(entrypoint, ['health', c.what], own, 30_000);
          return health.code === 0;
        },
        60_000,
      );
      expect(health.out).toMatch(new RegExp(`^${c.what}: `));
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    });
  }

  // The image's HEALTHCHECK names no service: the entrypoint reads PID 1's command line. Here the
  // worker is made PID 1 of a pid namespace of its own (unshare, as root), as in a container.
  it.skipIf(process.getuid?.() !== 0)(
    'finds the service PID 1 runs, as the image HEALTHCHECK does',
    async () => {
      const entrypoint = path.join(tree, 'infra/docker/entrypoint.sh');
      const p = start('unshare', ['--fork', '--pid', '--mount-proc', entrypoint, 'apply'], env);
      procs.push(p);
      await until(
        'apply ready as PID 1',
        () => p.output().includes('worker ready') || p.child.exitCode !== null,
        90_000,
      );
      expect(p.child.exitCode, p.output()).toBeNull();
      const [worker] = await childPids(p.child.pid ?? 0, 'main.js');
      expect(worker).toBeGreaterThan(0);
      const inside = (...args: string[]) =>
        run('nsenter', ['-t', String(worker), '-p', '-m', '--', entrypoint, 'health', ...args], env, 30_000);
      let health = { code: -1, out: '' };
      await until(
        'the health check without a service name',
        async () => {
          health = await inside();
          return health.code === 0;
        },
        60_000,
      );
      expect(health.out).toMatch(/^apply: ready/);
      expect((await inside('--live')).out).toMatch(/^apply: alive/);
      process.kill(worker as number, 'SIGTERM');
      expect(await p.exited).toBe(0);
    },
  );

  it('runs `up` and refuses what it does not know', async () => {
    const entrypoint = path.join(tree, 'infra/docker/entrypoint.sh');
    const unknown = await run(entrypoint, ['nonsense'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('usage: entrypoint.sh');

    const port = String(await freePort());
    const own = {
      ...env,
      SELFREVIEW_REDIS_AUTH: 'optional',
      // The sandbox is the workers' business (checked above); `up` alone would refuse without it.
      SELFREVIEW_SANDBOX: 'off',
    };
    const p = start(
      entrypoint,
      [
        'up',
        '--config',
        path.join(ROOT, 'infra/selfreview.server.example.yaml'),
        '--host',
        '127.0.0.1',
        '--port',
        port,
      ],
      own,
    );
    procs.push(p);
    await until(
      'up started',
      () => p.output().includes('selfreview up: gateway on') || p.child.exitCode !== null,
      90_000,
    );
    expect(p.child.exitCode, p.output()).toBeNull();
    await until(
      'the gateway of up healthy',
      async () =>
        (
          await run(entrypoint, ['health', 'gateway'], {
            SELFREVIEW_GATEWAY_HOST: '127.0.0.1',
            SELFREVIEW_GATEWAY_PORT: port,
          })
        ).code === 0,
      120_000,
    );
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('stopped');
  });
});
