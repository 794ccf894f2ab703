/**
 * selfreview deployed on a lab (tests/helpers/netns/lab.ts), as the container image runs it
 * (`node services/<svc>/dist/…`): hosts `redis` (AOF, a password, bound to its address; a unix
 * socket in its folder for the caller's own reads), `gateway`, `pipeline` (scan and apply),
 * `fix1`…`fixN` (each its own SELFREVIEW_DATA_DIR, so its own clone), `publish` (the only holder
 * of the forge token) and `forge` (tests/helpers/netns/forge.ts). Every repository is configured
 * by clone URL, its webhook signed with its own secret. The caller builds first.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable } from '@selfreview/shared/redis-server';
import { Redis } from 'ioredis';
import { ROOT } from '../build.ts';
import { removeDir } from '../git.ts';
import type { ForgeState } from '../git-http-server.ts';
import { until } from '../processes.ts';
import { sendPush, startForge } from './forge.ts';
import { createLab, type Host, type HostProc, type Lab } from './lab.ts';

export type Deployment = {
  lab: Lab;
  /** The caller's own connection to Redis (the unix socket). */
  redis: Redis;
  prefix: string;
  procs: Record<string, HostProc>;
  fixHosts: string[];
  /** Per repository name: its clone URL and its bare repository on the forge (read by the caller). */
  repos: Record<string, { url: string; bare: string }>;
  /** Sends a signed GitHub push of the repository's main from the forge host; the gateway's HTTP status. */
  push: (name: string) => Promise<string>;
  forgeState: () => Promise<ForgeState>;
  stop: () => Promise<void>;
};

const GATEWAY_PORT = 8080;

export async function startDeployment(opts: {
  /** Repository name -> its files (a commit on main). */
  repos: Record<string, Record<string, string>>;
  fixHosts: number;
  lockSeconds: number;
  prefix?: string;
}): Promise<Deployment> {
  const fixHosts = Array.from({ length: opts.fixHosts }, (_, i) => `fix${i + 1}`);
  const prefix = opts.prefix ?? 'mh';
  const lab = await createLab(['redis', 'gateway', 'pipeline', ...fixHosts, 'publish', 'forge']);
  const procs: Record<string, HostProc> = {};
  let redis: Redis | undefined;
  const sources: string[] = [];
  const stop = async () => {
    redis?.disconnect();
    if (process.env.SELFREVIEW_KEEP_LAB === '1') console.log(`lab kept at ${lab.root}`);
    else await lab.remove();
    for (const d of sources) await removeDir(d);
  };
  try {
    const host = (name: string) => lab.hosts[name] as Host;
    const password = randomBytes(12).toString('hex');
    const token = `ghp_${randomBytes(16).toString('hex')}`;
    const secrets = Object.fromEntries(
      Object.keys(opts.repos).map((n) => [n, randomBytes(16).toString('hex')]),
    );
    const secretEnv = (name: string) => `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_WEBHOOK_SECRET`;

    const forge = await startForge(host('forge'), { repos: opts.repos, token, sources });
    procs.forge = forge.proc;

    const redisBin = findExecutable('redis-server');
    if (!redisBin) throw new Error('redis-server is needed (the test set-up installs it)');
    const redisHost = host('redis');
    const socket = path.join(redisHost.dir, 'redis.sock');
    procs.redis = redisHost.start(
      redisBin,
      [
        ...['--port', '6379', '--bind', redisHost.address, '--dir', redisHost.dir],
        ...['--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
        ...['--requirepass', password, '--unixsocket', socket, '--unixsocketperm', '700'],
      ],
      { env: { PATH: process.env.PATH ?? '' }, logName: 'redis' },
    );
    await until('redis to listen', () => existsSync(socket), 20_000);
    const observer = new Redis({ path: socket, password, maxRetriesPerRequest: null });
    redis = observer;
    await until('redis to answer', async () => (await observer.ping().catch(() => '')) === 'PONG', 20_000);
    await until('the forge', () => forge.proc.output().includes('forge ready'), 60_000);

    // Each host its own copy of the server configuration, its own HOME (trusting the forge's
    // certificate, as an operator installs a private CA) and its own data folder.
    const serverConfig = [
      'repositories:',
      ...Object.entries(forge.repos).flatMap(([name, r]) => [
        `  - name: ${name}`,
        `    url: ${r.url}`,
        '    branch: main',
        '    webhooks:',
        `      github: { secretEnv: ${secretEnv(name)} }`,
        '    publish:',
        `      forge: { kind: github, project: acme/${name}, apiUrl: "${forge.apiUrl}" }`,
        '      tokenEnv: GITHUB_TOKEN',
      ]),
      '',
    ].join('\n');
    const caPem = await readFile(forge.cert, 'utf8');
    const envOf = async (h: Host, extra: Record<string, string> = {}) => {
      const home = path.join(h.dir, 'home');
      await mkdir(home, { recursive: true });
      await writeFile(path.join(home, 'forge-ca.pem'), caPem);
      await writeFile(
        path.join(home, '.gitconfig'),
        `[http]\n\tsslCAInfo = ${path.join(home, 'forge-ca.pem')}\n`,
      );
      await writeFile(path.join(h.dir, 'selfreview.server.yaml'), serverConfig);
      return {
        PATH: process.env.PATH ?? '',
        HOME: home,
        LOG_LEVEL: 'info',
        REDIS_URL: `redis://:${password}@${redisHost.address}:6379`,
        SELFREVIEW_PREFIX: prefix,
        SELFREVIEW_DATA_DIR: path.join(h.dir, 'data'),
        SELFREVIEW_SERVER_CONFIG: path.join(h.dir, 'selfreview.server.yaml'),
        SELFREVIEW_JOB_LOCK_SECONDS: String(opts.lockSeconds),
        ...extra,
      };
    };
    const node = (h: Host, entry: string, logName: string, env: Record<string, string>) =>
      h.start(process.execPath, [path.join(ROOT, entry)], { cwd: ROOT, env, logName });

    const gateway = host('gateway');
    procs.gateway = node(
      gateway,
      'services/gateway/dist/main.js',
      'gateway',
      await envOf(gateway, {
        SELFREVIEW_GATEWAY_HOST: gateway.address,
        SELFREVIEW_GATEWAY_PORT: String(GATEWAY_PORT),
        SELFREVIEW_UI_USER: 'ops',
        SELFREVIEW_UI_PASSWORD: randomBytes(8).toString('hex'),
        ...Object.fromEntries(Object.entries(secrets).map(([n, s]) => [secretEnv(n), s])),
      }),
    );
    const pipelineEnv = await envOf(host('pipeline'));
    procs.scan = node(host('pipeline'), 'services/scan/dist/main.js', 'scan', pipelineEnv);
    procs.apply = node(host('pipeline'), 'services/apply/dist/main.js', 'apply', pipelineEnv);
    for (const name of fixHosts)
      procs[name] = node(host(name), 'services/fix/dist/main.js', 'fix', await envOf(host(name)));
    procs.publish = node(
      host('publish'),
      'services/fix/dist/publish-main.js',
      'publish',
      await envOf(host('publish'), { GITHUB_TOKEN: token }),
    );
    for (const name of ['scan', 'apply', ...fixHosts, 'publish']) {
      await until(
        `${name} to be ready`,
        () => {
          const p = procs[name] as HostProc;
          if (p.child.exitCode !== null) throw new Error(`${name} exited: ${p.output().slice(-2000)}`);
          return p.output().includes('worker ready');
        },
        90_000,
      );
    }
    const gatewayUrl = `http://${gateway.address}:${GATEWAY_PORT}`;
    await until(
      'the gateway to answer',
      async () =>
        (await forge.host
          .run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${gatewayUrl}/api`])
          .then((r) => r.stdout)
          .catch(() => '')) === '401',
      60_000,
    );

    const push = (name: string) =>
      sendPush(forge, name, {
        files: Object.keys(opts.repos[name] ?? {}),
        secret: secrets[name] ?? '',
        webhookUrl: `${gatewayUrl}/webhooks/github`,
      });
    const { repos, state: forgeState } = forge;
    return { lab, redis: observer, prefix, procs, fixHosts, repos, push, forgeState, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
