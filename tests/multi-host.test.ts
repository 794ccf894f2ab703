/**
 * selfreview spread over hosts (issue 17 item 4): network namespaces joined by a bridge, each host
 * with a folder of its own that the others cannot see (tests/helpers/netns.ts), and on them:
 * - redis: a private redis-server with AOF and a password, bound to its host's address;
 * - gateway: the webhook receiver;
 * - pipeline: the scan and apply workers (the scan worker's clone of the repository);
 * - fix1, fix2: a fix worker each, with its own SELFREVIEW_DATA_DIR and so its own clone;
 * - publish: the publisher, the only process with the forge token;
 * - forge: bare repositories over HTTPS (git http-backend, push with the token only) and GitHub's
 *   REST API (tests/helpers/git-http-server.ts), on one host name as a forge has them.
 * The repository is configured by clone URL. A signed push webhook from the forge host starts a run
 * with many fix batches; both fix workers take batches; once each has finished one, the host of
 * fix1 is killed (every process in it, SIGKILL) in the middle of a batch. fix2 takes that batch
 * over once its job lock lapses, and the run ends with every fix committed, pushed and proposed
 * exactly once: branches counted on the forge's git server, pull requests on its API, each batch's
 * worker read from the workers' logs and the commits' trailers.
 *
 * Built code (`node services/<svc>/dist/main.js`), as the container image runs it. Needs root and
 * `ip netns`: skipped, saying why, where they are missing.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { findExecutable } from '@selfreview/shared/redis-server';
import { RunStore } from '@selfreview/shared/runs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, ROOT } from './helpers/build.ts';
import { FROM_SOURCE } from './helpers/cli.ts';
import { git, makeRepo, removeDir } from './helpers/git.ts';
import { bareRepository, type ForgeState, makeCertificate } from './helpers/git-http-server.ts';
import { createLab, type HostProc, type Lab, labUnavailable } from './helpers/netns.ts';
import { until } from './helpers/processes.ts';

const unavailable = await labUnavailable();
if (unavailable) console.warn(`multi-host test skipped: ${unavailable}`);

/** Job locks (and the stalled-job check) of every worker: a dead host's batch moves within about twice this. */
const LOCK_SECONDS = 4;
const PREFIX = 'mh';
const GIT_PORT = 8443;
const API_PORT = 8080;
const GATEWAY_PORT = 8080;

/** One unused import in each of these files: batches of at most two files, so FILES / 2 batches. */
export const MANY_FILES = Array.from({ length: 12 }, (_, i) => `src/f${String(i + 1).padStart(2, '0')}.ts`);

export function manyBatchesRepo(files: readonly string[] = MANY_FILES): Record<string, string> {
  const out: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, types: [] },
      include: ['src'],
    }),
    'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
    // Two batches of the repository at once (one per fix host); the lock holds it across hosts.
    'selfreview.config.json': JSON.stringify({ fix: { concurrency: 2 } }),
  };
  files.forEach((file, i) => {
    out[file] = `import { a, b } from './m';\nexport const x${i} = a;\n`;
  });
  return out;
}

type LogLine = { msg?: string; jobId?: string; runId?: string; [k: string]: unknown };

function logLines(output: string): LogLine[] {
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
function jobsWith(output: string, msg: string): string[] {
  return logLines(output)
    .filter((l) => l.msg === msg && typeof l.jobId === 'string')
    .map((l) => l.jobId as string);
}

describe.skipIf(unavailable !== null)(
  `selfreview across hosts${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let lab: Lab;
    let observer: Redis;
    const procs: Record<string, HostProc> = {};
    const dirs: string[] = [];
    const password = randomBytes(12).toString('hex');
    const token = `ghp_${randomBytes(16).toString('hex')}`;
    const secret = randomBytes(16).toString('hex');
    let repoUrl = '';
    let bare = '';
    let source = '';

    afterAll(async () => {
      observer?.disconnect();
      const keep = process.env.SELFREVIEW_KEEP_LAB === '1';
      if (keep) console.log(`lab kept at ${lab?.root}`);
      else await lab?.remove();
      for (const d of dirs) await removeDir(d);
    });

    beforeAll(async () => {
      await build();
      lab = await createLab(['redis', 'gateway', 'pipeline', 'fix1', 'fix2', 'publish', 'forge']);
      const h = lab.hosts as Record<
        'redis' | 'gateway' | 'pipeline' | 'fix1' | 'fix2' | 'publish' | 'forge',
        (typeof lab.hosts)[string]
      >;
      const forgeAddr = h.forge.address;

      // The forge: a certificate for its address, the repository as a bare one under acme/.
      const { cert, key } = await makeCertificate(h.forge.dir, forgeAddr);
      await mkdir(path.join(h.forge.dir, 'repos', 'acme'), { recursive: true });
      source = await makeRepo(manyBatchesRepo());
      dirs.push(source);
      bare = await bareRepository(path.join(h.forge.dir, 'repos', 'acme'), 'web', source);
      repoUrl = `https://${forgeAddr}:${GIT_PORT}/acme/web.git`;
      procs.forge = h.forge.start(
        process.execPath,
        [...FROM_SOURCE, path.join(ROOT, 'tests/helpers/git-http-server.ts')],
        {
          cwd: ROOT,
          logName: 'forge',
          env: {
            PATH: process.env.PATH ?? '',
            HOME: h.forge.dir,
            FORGE_ADDRESS: forgeAddr,
            FORGE_GIT_PORT: String(GIT_PORT),
            FORGE_API_PORT: String(API_PORT),
            FORGE_REPOS: path.join(h.forge.dir, 'repos'),
            FORGE_CERT: cert,
            FORGE_KEY: key,
            FORGE_TOKEN: token,
            FORGE_STATE: path.join(h.forge.dir, 'state.json'),
          },
        },
      );

      // Redis: AOF, a password, noeviction, bound to its host's address; a unix socket in its
      // folder for this test's own reads (a file, not the network).
      const redisBin = findExecutable('redis-server');
      if (!redisBin) throw new Error('redis-server is needed (the test set-up installs it)');
      const socket = path.join(h.redis.dir, 'redis.sock');
      procs.redis = h.redis.start(
        redisBin,
        [
          '--port',
          '6379',
          '--bind',
          h.redis.address,
          '--dir',
          h.redis.dir,
          '--appendonly',
          'yes',
          '--save',
          '',
          '--maxmemory-policy',
          'noeviction',
          '--requirepass',
          password,
          '--unixsocket',
          socket,
          '--unixsocketperm',
          '700',
        ],
        { env: { PATH: process.env.PATH ?? '' }, logName: 'redis' },
      );
      await until('redis to listen', () => existsSync(socket), 20_000);
      observer = new Redis({ path: socket, password, maxRetriesPerRequest: null });
      await until('redis to answer', async () => (await observer.ping().catch(() => '')) === 'PONG', 20_000);
      await until('the forge', () => procs.forge?.output().includes('forge ready') ?? false, 60_000);

      // Each host its own copy of the server configuration, its own HOME (trusting the forge's
      // certificate, as an operator installs a private CA) and its own data folder.
      const serverConfig = [
        'repositories:',
        '  - name: web',
        `    url: ${repoUrl}`,
        '    branch: main',
        '    webhooks:',
        '      github: { secretEnv: WEB_WEBHOOK_SECRET }',
        '    publish:',
        `      forge: { kind: github, project: acme/web, apiUrl: "http://${forgeAddr}:${API_PORT}" }`,
        '      tokenEnv: GITHUB_TOKEN',
        '',
      ].join('\n');
      const caPem = await readFile(cert, 'utf8');
      const envOf = async (host: (typeof lab.hosts)[string], extra: Record<string, string> = {}) => {
        const home = path.join(host.dir, 'home');
        await mkdir(home, { recursive: true });
        await writeFile(path.join(home, 'forge-ca.pem'), caPem);
        await writeFile(
          path.join(home, '.gitconfig'),
          `[http]\n\tsslCAInfo = ${path.join(home, 'forge-ca.pem')}\n`,
        );
        await writeFile(path.join(host.dir, 'selfreview.server.yaml'), serverConfig);
        return {
          PATH: process.env.PATH ?? '',
          HOME: home,
          LOG_LEVEL: 'info',
          REDIS_URL: `redis://:${password}@${h.redis.address}:6379`,
          SELFREVIEW_PREFIX: PREFIX,
          SELFREVIEW_DATA_DIR: path.join(host.dir, 'data'),
          SELFREVIEW_SERVER_CONFIG: path.join(host.dir, 'selfreview.server.yaml'),
          SELFREVIEW_JOB_LOCK_SECONDS: String(LOCK_SECONDS),
          ...extra,
        };
      };
      const node = (
        host: (typeof lab.hosts)[string],
        entry: string,
        logName: string,
        env: Record<string, string>,
      ) => host.start(process.execPath, [path.join(ROOT, entry)], { cwd: ROOT, env, logName });

      procs.gateway = node(
        h.gateway,
        'services/gateway/dist/main.js',
        'gateway',
        await envOf(h.gateway, {
          SELFREVIEW_GATEWAY_HOST: h.gateway.address,
          SELFREVIEW_GATEWAY_PORT: String(GATEWAY_PORT),
          WEB_WEBHOOK_SECRET: secret,
          SELFREVIEW_UI_USER: 'ops',
          SELFREVIEW_UI_PASSWORD: randomBytes(8).toString('hex'),
        }),
      );
      const pipelineEnv = await envOf(h.pipeline);
      procs.scan = node(h.pipeline, 'services/scan/dist/main.js', 'scan', pipelineEnv);
      procs.apply = node(h.pipeline, 'services/apply/dist/main.js', 'apply', pipelineEnv);
      procs.fix1 = node(h.fix1, 'services/fix/dist/main.js', 'fix', await envOf(h.fix1));
      procs.fix2 = node(h.fix2, 'services/fix/dist/main.js', 'fix', await envOf(h.fix2));
      procs.publish = node(
        h.publish,
        'services/fix/dist/publish-main.js',
        'publish',
        await envOf(h.publish, { GITHUB_TOKEN: token }),
      );
      for (const name of ['scan', 'apply', 'fix1', 'fix2', 'publish']) {
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
      await until(
        'the gateway to answer',
        async () =>
          (await h.forge
            .run('curl', [
              '-s',
              '-o',
              '/dev/null',
              '-w',
              '%{http_code}',
              `http://${h.gateway.address}:${GATEWAY_PORT}/api`,
            ])
            .then((r) => r.stdout)
            .catch(() => '')) === '401',
        60_000,
      );
    }, 300_000);

    it('a push starts a run whose batches both fix workers take; one host killed mid-batch loses nothing', async () => {
      const h = lab.hosts;
      const fix1 = procs.fix1 as HostProc;
      const fix2 = procs.fix2 as HostProc;
      const runs = new RunStore(observer, PREFIX);
      const lifecycle = new RunLifecycle(observer, PREFIX);
      const base = await git(bare, 'rev-parse', 'main');
      const started = Date.now();

      // A GitHub push delivery, signed with the repository's secret, sent from the forge's host.
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        before: '0'.repeat(40),
        after: base,
        created: true,
        deleted: false,
        forced: false,
        commits: [{ added: Object.keys(manyBatchesRepo()), modified: [], removed: [] }],
        repository: {
          full_name: 'acme/web',
          clone_url: repoUrl,
          html_url: `https://${h.forge?.address}/acme/web`,
        },
      });
      const bodyFile = path.join(h.forge?.dir ?? '', 'push.json');
      await writeFile(bodyFile, body);
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const sent = await h.forge?.run('curl', [
        '-s',
        '-w',
        '\n%{http_code}',
        '-X',
        'POST',
        `http://${h.gateway?.address}:${GATEWAY_PORT}/webhooks/github`,
        '-H',
        'content-type: application/json',
        '-H',
        'x-github-event: push',
        '-H',
        `x-github-delivery: ${randomBytes(8).toString('hex')}`,
        '-H',
        `x-hub-signature-256: ${signature}`,
        '--data-binary',
        `@${bodyFile}`,
      ]);
      expect(sent?.stdout.trim().split('\n').at(-1), sent?.stdout).toMatch(/^20[02]$/);

      let runId = '';
      await until(
        'the run to start',
        async () => {
          runId = (await runs.recentRuns(5))[0] ?? '';
          return runId !== '';
        },
        60_000,
      );

      // Both workers finish a batch; then fix1's host dies in the middle of its next one.
      await until(
        'each fix worker to finish a batch and fix1 to be in the middle of another',
        async () => {
          if (jobsWith(fix1.output(), 'job finished').length < 1) return false;
          if (jobsWith(fix2.output(), 'job finished').length < 1) return false;
          const started1 = jobsWith(fix1.output(), 'job started');
          const finished1 = jobsWith(fix1.output(), 'job finished');
          const current = started1.at(-1);
          if (!current || finished1.includes(current)) return false;
          return (await worktreesOf(h.fix1?.dir ?? '')).includes(current);
        },
        150_000,
      );
      const inFlight = jobsWith(fix1.output(), 'job started').at(-1) as string;
      // Both hosts' batches hold slots of one lock, the repository's, not one per host's folder.
      const slotKeys = await observer.keys(`${PREFIX}:lock:repo-slots:*`);
      expect(slotKeys).toHaveLength(1);
      const killed = await h.fix1?.kill();
      const killedAt = Date.now();
      expect(killed?.length).toBeGreaterThan(0);
      await fix1.exited;
      console.log(`killed host fix1 (${killed?.length} processes) during batch ${inFlight}`);

      await until(
        'the run to end',
        async () => {
          const meta = await runs.meta(runId);
          const p = await lifecycle.progress(runId);
          return Boolean(meta?.finishedAt) && Object.values(p.open).every((n) => n === 0);
        },
        150_000,
      );
      const tookMs = Date.now() - started;
      console.log(
        `run across hosts: ${(tookMs / 1000).toFixed(1)} s from the webhook to the run's end, ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (job lock ${LOCK_SECONDS} s)`,
      );

      // Every fix committed exactly once, in the run's record.
      const results = await runs.fixResults(runId);
      const committed = results.filter((r) => r.status === 'committed');
      expect(committed.map((r) => r.file).sort()).toEqual(MANY_FILES);
      expect(results.filter((r) => r.status === 'failed')).toEqual([]);
      const batches = [...new Set(committed.map((r) => r.batchId))].sort();
      expect(batches).toHaveLength(MANY_FILES.length / 2);
      expect(batches).toContain(inFlight);

      // On the forge: one branch per batch, one commit each over the base, each file changed on one
      // branch only, each commit naming its batch and the run; no other branch.
      const branchList = (await git(bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/'))
        .split('\n')
        .filter((b) => b !== 'main');
      expect(branchList).toHaveLength(batches.length);
      const changed: string[] = [];
      const trailerBatches: string[] = [];
      for (const branch of branchList) {
        expect(branch).toMatch(/^selfreview\//);
        expect(await git(bare, 'rev-list', '--count', `${base}..${branch}`), branch).toBe('1');
        changed.push(...(await git(bare, 'diff', '--name-only', base, branch)).split('\n').filter(Boolean));
        const message = await git(bare, 'log', '-1', '--format=%B', branch);
        expect(message).toContain(`Selfreview-Run: ${runId}`);
        trailerBatches.push(/Selfreview-Batch: (\S+)/.exec(message)?.[1] ?? '');
      }
      expect(changed.sort()).toEqual(MANY_FILES);
      expect(trailerBatches.sort()).toEqual(batches);
      const records = await runs.pullRequests(runId);
      expect(records.map((r) => r.status).sort()).toEqual(batches.map(() => 'opened'));

      // On the forge's API: one pull request per branch, none twice; each branch pushed once.
      const forge = JSON.parse(
        await readFile(path.join(h.forge?.dir ?? '', 'state.json'), 'utf8'),
      ) as ForgeState;
      expect(forge.pulls.map((p) => p.head).sort()).toEqual([...branchList].sort());
      expect(forge.pulls.every((p) => p.base === 'main' && p.state === 'open')).toBe(true);
      expect(forge.pushes).toBe(branchList.length);
      expect(forge.refused).toBe(0);
      expect(forge.requests.some((r) => r.path.includes('/merge'))).toBe(false);

      // Who did what: each batch finished once; both hosts did batches; fix2 finished the one
      // fix1 died in, which no other batch started twice.
      const done1 = jobsWith(fix1.output(), 'job finished');
      const done2 = jobsWith(fix2.output(), 'job finished');
      const started1 = jobsWith(fix1.output(), 'job started');
      const started2 = jobsWith(fix2.output(), 'job started');
      console.log(`fix1 finished ${done1.join(', ')}; fix2 finished ${done2.join(', ')}`);
      expect(done1.length).toBeGreaterThan(0);
      expect(done2.length).toBeGreaterThan(0);
      expect([...done1, ...done2].sort()).toEqual(batches);
      expect(done2).toContain(inFlight);
      expect(done1).not.toContain(inFlight);
      const startedTwice = [...started1, ...started2].filter((id, i, all) => all.indexOf(id) !== i);
      expect(startedTwice).toEqual([inFlight]);

      // Each fix host worked in its own clone, and fix2 left no worktree behind.
      for (const host of ['fix1', 'fix2']) {
        const clones = await readdir(path.join(h[host]?.dir ?? '', 'data', 'clones'));
        expect(clones, host).toHaveLength(1);
      }
      expect(await worktreesOf(h.fix2?.dir ?? '')).toEqual([]);
      expect((await runs.meta(runId))?.lost ?? '').toBe('');
    }, 330_000);
  },
);

/** Batch worktrees in use on a host (the folders under `<data>/worktrees/<repo>/`). */
async function worktreesOf(hostDir: string): Promise<string[]> {
  const root = path.join(hostDir, 'data', 'worktrees');
  const found: string[] = [];
  for (const key of await readdir(root).catch(() => [])) {
    for (const e of await readdir(path.join(root, key), { withFileTypes: true }).catch(() => []))
      if (e.isDirectory()) found.push(e.name);
  }
  return found;
}
