/**
 * Several "hosts" on this one machine, for tests of a deployment spread over machines: each host
 * is a network namespace with one address of a private /24, joined to the others by veth pairs to
 * a bridge in a namespace of its own, and it has a folder of its own that no other host sees (its
 * processes run in a mount namespace where the folder of all hosts is replaced by an empty tmpfs
 * with only their own folder put back). So a path one host writes into a job means nothing on
 * another host, as between real machines. Every namespace and link carries a per-lab suffix and
 * is removed by `remove()`, which kills every process the hosts still run first.
 *
 * Needs root and `ip netns`; `labUnavailable()` says why not, for a test's skip. `startDeployment`
 * puts selfreview's processes on such hosts.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '@selfreview/shared/redis-server';
import { Redis } from 'ioredis';
import { ROOT } from './build.ts';
import { FROM_SOURCE } from './cli.ts';
import { makeRepo, removeDir } from './git.ts';
import { bareRepository, type ForgeState, makeCertificate } from './git-http-server.ts';
import { until } from './processes.ts';

const exec = promisify(execFile);

export type HostProc = {
  child: ChildProcess;
  /** stdout and stderr so far, as they came. */
  output: () => string;
  exited: Promise<number | null>;
};

export type Host = {
  name: string;
  /** The network namespace's name. */
  ns: string;
  /** Its address on the lab's network. */
  address: string;
  /** Its own folder (the same path inside the host and outside it, where the test reads it). */
  dir: string;
  /** Starts `command` on this host (its network, its folder only), logging to `<dir>/<logName>.log`. */
  start: (
    command: string,
    args: readonly string[],
    opts: { env: Record<string, string>; cwd?: string; logName: string },
  ) => HostProc;
  /** Runs `command` on this host to its end (no folder isolation: a quick client, e.g. curl). */
  run: (command: string, args: readonly string[]) => Promise<{ stdout: string; stderr: string }>;
  /** SIGKILLs every process of the host (all in its namespace, and their descendants); returns their pids. */
  kill: () => Promise<number[]>;
};

export type Lab = {
  suffix: string;
  /** The lab's folder; `<root>/hosts/<name>` is each host's own. */
  root: string;
  hosts: Record<string, Host>;
  remove: () => Promise<void>;
};

/** Why a lab cannot be built here (null when it can): not root, or `ip netns` does not work. */
export async function labUnavailable(): Promise<string | null> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'network namespaces need root (this test builds hosts with ip netns and veth pairs)';
  }
  const probe = `srprobe-${randomBytes(3).toString('hex')}`;
  try {
    await exec('ip', ['netns', 'add', probe]);
  } catch (err) {
    return `ip netns add failed: ${(err as Error).message.split('\n')[0]}`;
  }
  await exec('ip', ['netns', 'del', probe]).catch(() => {});
  return null;
}

/**
 * Builds the hosts named (at most 200), addresses `10.<a>.<b>.<2+i>` in a /24 of the 10/8 range
 * chosen at random, so labs of tests running at the same time do not meet.
 */
export async function createLab(names: readonly string[]): Promise<Lab> {
  const suffix = randomBytes(3).toString('hex');
  const root = path.join(os.tmpdir(), `selfreview-lab-${suffix}`);
  const subnet = `10.${100 + ((randomBytes(1)[0] as number) % 100)}.${randomBytes(1)[0] as number}`;
  const sw = `sr-${suffix}-sw`;
  const namespaces: string[] = [];
  const procs: HostProc[] = [];
  const hosts: Record<string, Host> = {};

  const ip = (...args: string[]) => exec('ip', args);
  const remove = async () => {
    for (const h of Object.values(hosts)) await h.kill().catch(() => []);
    for (const p of procs)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    // Deleting a namespace removes its ends of the veth pairs, and with them their peers.
    for (const ns of namespaces.reverse()) await ip('netns', 'del', ns).catch(() => {});
    await rm(root, { recursive: true, force: true });
  };

  try {
    await mkdir(path.join(root, 'hosts'), { recursive: true });
    await mkdir(path.join(root, 'self'), { recursive: true });
    await ip('netns', 'add', sw);
    namespaces.push(sw);
    await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', sw, 'link', 'set', 'br0', 'up');
    for (const [i, name] of names.entries()) {
      const ns = `sr-${suffix}-${name}`;
      await ip('netns', 'add', ns);
      namespaces.push(ns);
      const address = `${subnet}.${2 + i}`;
      // Created straight into their namespaces, so no name is ever taken in this one.
      await ip(
        'link',
        'add',
        'name',
        'eth0',
        'netns',
        ns,
        'type',
        'veth',
        'peer',
        'name',
        `p${i}`,
        'netns',
        sw,
      );
      await ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'br0');
      await ip('-n', sw, 'link', 'set', `p${i}`, 'up');
      await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      const dir = path.join(root, 'hosts', name);
      await mkdir(dir, { recursive: true });
      hosts[name] = makeHost({ name, ns, address, dir, root, procs });
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { suffix, root, hosts, remove };
}

/**
 * The shell that puts a process on its host: the folder of all hosts hidden under a tmpfs, its own
 * folder bound back at its usual path. `ip netns exec` has given it a mount namespace of its own.
 */
const ISOLATE = [
  'set -e',
  'mount --bind "$LAB_OWN" "$LAB_SELF"',
  'mount -t tmpfs -o size=1m,mode=755 lab "$LAB_HOSTS"',
  'mkdir -p "$LAB_OWN"',
  'mount --bind "$LAB_SELF" "$LAB_OWN"',
  'umount -l "$LAB_SELF"',
  'exec "$@"',
].join('\n');

function makeHost(h: {
  name: string;
  ns: string;
  address: string;
  dir: string;
  root: string;
  procs: HostProc[];
}): Host {
  const start: Host['start'] = (command, args, opts) => {
    const child = spawn('ip', ['netns', 'exec', h.ns, 'sh', '-c', ISOLATE, 'lab', command, ...args], {
      cwd: opts.cwd,
      env: {
        ...opts.env,
        LAB_OWN: h.dir,
        LAB_SELF: path.join(h.root, 'self'),
        LAB_HOSTS: path.join(h.root, 'hosts'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const file = createWriteStream(path.join(h.dir, `${opts.logName}.log`), { flags: 'a' });
    const take = (c: Buffer) => {
      out += c.toString();
      file.write(c);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        file.end();
        resolve(code);
      }),
    );
    const proc = { child, output: () => out, exited };
    h.procs.push(proc);
    return proc;
  };
  const run: Host['run'] = (command, args) =>
    exec('ip', ['netns', 'exec', h.ns, command, ...args], { maxBuffer: 16 * 1024 * 1024 });
  const kill: Host['kill'] = async () => {
    const listed = await exec('ip', ['netns', 'pids', h.ns]).catch(() => ({ stdout: '' }));
    const direct = listed.stdout.split(/\s+/).filter(Boolean).map(Number);
    // Sandboxed commands live in network namespaces of their own: found as descendants.
    const pids = await withDescendants(direct);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    return pids;
  };
  return { name: h.name, ns: h.ns, address: h.address, dir: h.dir, start, run, kill };
}

/** `pids` and every process below them (read from /proc). */
async function withDescendants(pids: readonly number[]): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command may hold spaces and parentheses: the fields after its last ')' are fixed.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parentOf.set(Number(entry), ppid);
  }
  const all = new Set(pids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!all.has(pid) && all.has(ppid)) {
        all.add(pid);
        grew = true;
      }
    }
  }
  return [...all];
}

/**
 * selfreview deployed on a lab, as the container image runs it (`node services/<svc>/dist/…`):
 * hosts `redis` (AOF, a password, bound to its address; a unix socket in its folder for the
 * caller's own reads), `gateway`, `pipeline` (scan and apply), `fix1`…`fixN` (each its own
 * SELFREVIEW_DATA_DIR, so its own clone), `publish` (the only holder of the forge token) and
 * `forge` (git over HTTPS and GitHub's API, tests/helpers/git-http-server.ts). Every repository is
 * configured by clone URL, its webhook signed with its own secret. The caller builds first.
 */
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

const GIT_PORT = 8443;
const API_PORT = 8080;
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
    const forge = host('forge');
    const password = randomBytes(12).toString('hex');
    const token = `ghp_${randomBytes(16).toString('hex')}`;
    const secrets = Object.fromEntries(
      Object.keys(opts.repos).map((n) => [n, randomBytes(16).toString('hex')]),
    );
    const secretEnv = (name: string) => `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_WEBHOOK_SECRET`;

    // The forge: a certificate for its address, each repository a bare one under acme/.
    const { cert, key } = await makeCertificate(forge.dir, forge.address);
    await mkdir(path.join(forge.dir, 'repos', 'acme'), { recursive: true });
    const repos: Deployment['repos'] = {};
    for (const [name, files] of Object.entries(opts.repos)) {
      const source = await makeRepo(files);
      sources.push(source);
      const bare = await bareRepository(path.join(forge.dir, 'repos', 'acme'), name, source);
      repos[name] = { url: `https://${forge.address}:${GIT_PORT}/acme/${name}.git`, bare };
    }
    procs.forge = forge.start(
      process.execPath,
      [...FROM_SOURCE, path.join(ROOT, 'tests/helpers/git-http-server.ts')],
      {
        cwd: ROOT,
        logName: 'forge',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: forge.dir,
          FORGE_ADDRESS: forge.address,
          FORGE_GIT_PORT: String(GIT_PORT),
          FORGE_API_PORT: String(API_PORT),
          FORGE_REPOS: path.join(forge.dir, 'repos'),
          FORGE_CERT: cert,
          FORGE_KEY: key,
          FORGE_TOKEN: token,
          FORGE_STATE: path.join(forge.dir, 'state.json'),
        },
      },
    );

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
    await until('the forge', () => procs.forge?.output().includes('forge ready') ?? false, 60_000);

    // Each host its own copy of the server configuration, its own HOME (trusting the forge's
    // certificate, as an operator installs a private CA) and its own data folder.
    const serverConfig = [
      'repositories:',
      ...Object.entries(repos).flatMap(([name, r]) => [
        `  - name: ${name}`,
        `    url: ${r.url}`,
        '    branch: main',
        '    webhooks:',
        `      github: { secretEnv: ${secretEnv(name)} }`,
        '    publish:',
        `      forge: { kind: github, project: acme/${name}, apiUrl: "http://${forge.address}:${API_PORT}" }`,
        '      tokenEnv: GITHUB_TOKEN',
      ]),
      '',
    ].join('\n');
    const caPem = await readFile(cert, 'utf8');
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
        (await forge
          .run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${gatewayUrl}/api`])
          .then((r) => r.stdout)
          .catch(() => '')) === '401',
      60_000,
    );

    // A GitHub push delivery, signed with the repository's secret, sent from the forge's host.
    const push = async (name: string) => {
      const r = repos[name];
      if (!r) throw new Error(`no repository ${name}`);
      const after = (await exec('git', ['-C', r.bare, 'rev-parse', 'main'])).stdout.trim();
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        before: '0'.repeat(40),
        after,
        created: true,
        deleted: false,
        forced: false,
        commits: [{ added: Object.keys(opts.repos[name] ?? {}), modified: [], removed: [] }],
        repository: {
          full_name: `acme/${name}`,
          clone_url: r.url,
          html_url: `https://${forge.address}/acme/${name}`,
        },
      });
      const bodyFile = path.join(forge.dir, `push-${name}.json`);
      await writeFile(bodyFile, body);
      const signature = `sha256=${createHmac('sha256', secrets[name] ?? '')
        .update(body)
        .digest('hex')}`;
      const sent = await forge.run('curl', [
        ...['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', `${gatewayUrl}/webhooks/github`],
        ...['-H', 'content-type: application/json', '-H', 'x-github-event: push'],
        ...[
          '-H',
          `x-github-delivery: ${randomBytes(8).toString('hex')}`,
          '-H',
          `x-hub-signature-256: ${signature}`,
        ],
        ...['--data-binary', `@${bodyFile}`],
      ]);
      return sent.stdout.trim();
    };
    const forgeState = async () =>
      JSON.parse(await readFile(path.join(forge.dir, 'state.json'), 'utf8')) as ForgeState;
    return { lab, redis: observer, prefix, procs, fixHosts, repos, push, forgeState, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type LogLine = { msg?: string; jobId?: string; runId?: string; time?: number; [k: string]: unknown };

/** A worker's pino lines. */
export function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

/** Job ids of a worker's log lines with this message. */
export function jobsWith(output: string, msg: string): string[] {
  return logLines(output)
    .filter((l) => l.msg === msg && typeof l.jobId === 'string')
    .map((l) => l.jobId as string);
}

/** One unused import in each of these files: batches of at most two files, so FILES / 2 batches. */
export const MANY_FILES = manyFiles(12);

export function manyFiles(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `src/f${String(i + 1).padStart(2, '0')}.ts`);
}

/**
 * A repository whose fixes need `files.length / 2` batches (tests/helpers/fix-batches.ts's
 * shape, more files), asking for two batches at once (fix.concurrency 2), one per fix host.
 */
export function manyBatchesRepo(files: readonly string[] = MANY_FILES): Record<string, string> {
  const out: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, types: [] },
      include: ['src'],
    }),
    'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
    'selfreview.config.json': JSON.stringify({ fix: { concurrency: 2 } }),
  };
  files.forEach((file, i) => {
    out[file] = `import { a, b } from './m';\nexport const x${i} = a;\n`;
  });
  return out;
}
