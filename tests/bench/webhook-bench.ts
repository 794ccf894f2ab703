/**
 * Webhook path under load (issue 16 item 5): the real gateway process (services/gateway/src/main.ts)
 * on 127.0.0.1, on a private redis-server of its own, driven by autocannon with signed GitHub `push`
 * deliveries at a fixed overall rate; afterwards Redis is checked and one table is printed.
 *
 *   node --conditions=source --import tsx tests/bench/webhook-bench.ts [--rate N] [--duration S] [--connections N]
 *        [--cpu-prof DIR] [--json FILE]
 *
 * - Each request is built by autocannon's per-request `setupRequest` hook: a push example of
 *   @octokit/webhooks-examples (7.6 kB) pointed at the configured repository, with its own
 *   `X-GitHub-Delivery` id, its own head commit and an `X-Hub-Signature-256` over its exact bytes.
 * - autocannon's rate limit is per connection and per second: each connection sends its share of
 *   the second back to back, then waits for the next second. So the gateway sees bursts, a
 *   harder load than evenly spaced requests at the same rate.
 * - Latency is taken per request (from building it, just before it is written, to its answer);
 *   autocannon's own histogram has 1 ms steps and corrects coordinated omission assuming a 1 ms
 *   interval, so it is not used. autocannon also stops at its first tick after the duration,
 *   dropping requests in flight: those count as "unanswered at the stop", not as errors.
 * - Before the load, 100 pushes to a second repository warm the gateway up (fastify's routes,
 *   BullMQ's scripts); they are not counted.
 * - Afterwards: every delivery answered `queued` must have its delivery key in Redis, and the
 *   trigger queue must hold exactly one job for the branch (the gateway coalesces pushes to a
 *   branch, the newest replacing the waiting one), the newest push's.
 *
 * Prints the table (markdown) on stdout, progress on stderr; `--json FILE` also writes the run's
 * numbers (latency percentiles, errors, rates, the gateway's peak RSS, the verdict) to FILE.
 * Exits 0 whatever the numbers, 2 on bad flags, 1 when it cannot run (no redis-server, the
 * gateway does not start). Its Redis, gateway and temporary files are removed at the end, within
 * a bounded time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { TRIGGER_QUEUE } from '@selfreview/shared/queues';
import { freePort, type ProvidedRedis, startPrivateRedis } from '@selfreview/shared/redis-server';
import { createQueue } from '@selfreview/shared/worker';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { FROM_SOURCE } from '../helpers/cli.ts';
import {
  answeredDurations,
  type BenchRepo,
  latencyStats,
  type Options,
  parseOptions,
  pushDelivery,
  type RequestRecord,
  renderTable,
  summarise,
  type TriggerFact,
  USAGE,
  UsageError,
} from './webhook-load.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY_MAIN = path.join(REPO_ROOT, 'services/gateway/src/main.ts');
const WARMUP_REQUESTS = 100;
/** Each clean-up step gets this long; the whole clean-up a few times that at most. */
const STEP_LIMIT_MS = 10_000;

const REPO: BenchRepo = {
  fullName: 'bench/web',
  cloneUrl: 'https://github.com/bench/web.git',
  branch: 'main',
};
const WARM_REPO: BenchRepo = {
  fullName: 'bench/warm',
  cloneUrl: 'https://github.com/bench/warm.git',
  branch: 'main',
};

function log(msg: string): void {
  process.stderr.write(`[webhook-bench] ${msg}\n`);
}

/** What has to be stopped or removed at the end, in reverse order of creation. */
const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
let gatewayChild: ChildProcess | undefined;
/** While the load runs, a signal ends it early (the results so far are checked and printed). */
let stopLoad: (() => void) | undefined;

/** `--json FILE` (or `--json=FILE`) taken out of the flags: the rest are ./webhook-load.ts's. */
function takeJsonFlag(argv: readonly string[]): { jsonFile?: string; rest: string[] } {
  const rest: string[] = [];
  let jsonFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json' || arg.startsWith('--json=')) {
      const value = arg === '--json' ? argv[++i] : arg.slice('--json='.length);
      if (!value) throw new UsageError('--json takes a file name');
      jsonFile = path.resolve(value);
    } else rest.push(arg);
  }
  return { ...(jsonFile !== undefined ? { jsonFile } : {}), rest };
}

async function main(): Promise<void> {
  const { jsonFile, rest } = takeJsonFlag(process.argv.slice(2));
  const options = parseOptions(rest);
  if (process.platform !== 'linux' || !existsSync('/proc/self/status'))
    throw new Error('the gateway’s memory and CPU are read from /proc: Linux only');
  // Nothing outlives the run: after this, everything is killed and the process exits.
  const limitMs = (options.durationS + 240) * 1000;
  setTimeout(() => {
    log(`still running after ${limitMs / 1000} s: killing the gateway and exiting`);
    gatewayChild?.kill('SIGKILL');
    process.exit(1);
  }, limitMs).unref();

  const template = pushTemplate();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-webhook-bench-'));
  cleanups.push({ what: 'temporary folder', run: () => rm(dir, { recursive: true, force: true }) });

  log('starting a private redis-server on 127.0.0.1');
  const redisServer: ProvidedRedis = await startPrivateRedis();
  cleanups.push({ what: 'redis-server', run: () => redisServer.stop() });
  const prefix = `wb-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  redis.on('error', (err: Error) => log(`redis: ${err.message}`));
  cleanups.push({ what: 'redis connection', run: () => redis.quit() });
  // The keys go before the server does (a REDIS_URL-style shared Redis would keep them otherwise).
  cleanups.push({ what: `keys ${prefix}:*`, run: () => deleteKeys(redis, prefix) });

  const secret = randomBytes(24).toString('hex');
  const warmSecret = randomBytes(24).toString('hex');
  const configFile = path.join(dir, 'selfreview.server.yaml');
  await writeFile(
    configFile,
    [
      'repositories:',
      '  - name: web',
      `    url: ${REPO.cloneUrl}`,
      `    branch: ${REPO.branch}`,
      '    webhooks:',
      '      github: { secretEnv: WEB_HOOK_SECRET }',
      '  - name: warm',
      `    url: ${WARM_REPO.cloneUrl}`,
      `    branch: ${WARM_REPO.branch}`,
      '    webhooks:',
      '      github: { secretEnv: WARM_HOOK_SECRET }',
      '',
    ].join('\n'),
  );

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  if (options.cpuProfDir) await mkdir(options.cpuProfDir, { recursive: true });
  const gateway = startGateway({
    port,
    dir,
    options,
    env: {
      REDIS_URL: redisServer.url,
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_SERVER_CONFIG: configFile,
      WEB_HOOK_SECRET: secret,
      WARM_HOOK_SECRET: warmSecret,
    },
  });
  gatewayChild = gateway.child;
  cleanups.push({ what: 'gateway', run: () => stopGateway(gateway.child) });
  const pid = gateway.child.pid;
  if (pid === undefined) throw new Error('the gateway did not start');
  await waitForHealth(base, gateway.child, gateway.logFile);
  log(`gateway (pid ${pid}) listening on ${base}, key prefix ${prefix}`);

  await warmUp(base, template, warmSecret);

  // ─── The load ────────────────────────────────────────────────────────────────────────────────
  const runId = randomBytes(4).toString('hex');
  const records = new Map<string, RequestRecord>();
  let seq = 0;
  type Ctx = { delivery?: string };
  const before = {
    gatewayCpuMs: await cpuMsOf(pid),
    gatewayRss: (await procStatus(pid)).rss,
    redisCpuMs: await redisCpuMs(redis),
    generator: process.cpuUsage(),
    loadAverage: os.loadavg()[0] ?? 0,
  };
  const sampler = sampleRss(pid);
  log(
    `load: ${options.rate}/s for ${options.durationS} s over ${options.connections} connections (load average ${before.loadAverage.toFixed(1)})`,
  );
  const loadOptions: autocannon.Options = {
    url: base,
    connections: options.connections,
    overallRate: options.rate,
    duration: options.durationS,
    ignoreCoordinatedOmission: true,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/github',
        setupRequest: (request, context) => {
          const d = pushDelivery(template, runId, seq++, REPO, secret);
          records.set(d.id, { delivery: d.id, sha: d.sha, sentAt: performance.now() });
          (context as Ctx).delivery = d.id;
          return { ...request, body: d.body, headers: d.headers };
        },
        onResponse: (status, body, context) => {
          const record = records.get((context as Ctx).delivery ?? '');
          if (!record) return;
          record.answeredAt = performance.now();
          record.status = status;
          record.outcome = outcomeOf(body);
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(loadOptions, (err: Error | null, res: autocannon.Result) =>
      err ? reject(err) : resolve(res),
    );
    stopLoad = () => instance.stop();
  });
  stopLoad = undefined;

  const after = {
    gatewayCpuMs: await cpuMsOf(pid),
    redisCpuMs: await redisCpuMs(redis),
    generator: process.cpuUsage(before.generator),
  };
  const peakRss = await sampler.stop();
  log(`load done: ${records.size} sent; checking Redis`);

  // ─── Redis afterwards ────────────────────────────────────────────────────────────────────────
  const deliveryKeys = await deliveryIds(redis, prefix, runId);
  const triggers = await triggerJobs(redis, prefix);

  const summary = summarise({
    options,
    autocannon: {
      duration: result.duration,
      connections: result.connections,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      mismatches: result.mismatches,
      resets: result.resets,
    },
    records: [...records.values()],
    redis: { deliveryKeys, triggers },
    resources: {
      gatewayPeakRssBytes: peakRss,
      gatewayRssBeforeBytes: before.gatewayRss,
      gatewayCpuMs: after.gatewayCpuMs - before.gatewayCpuMs,
      redisCpuMs: after.redisCpuMs - before.redisCpuMs,
      generatorCpuMs: (after.generator.user + after.generator.system) / 1000,
      loadAverage: before.loadAverage,
      cpus: os.cpus().length,
    },
  });
  process.stdout.write(
    `# Webhook under load\n\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GB; autocannon ${autocannonVersion()}\n\n` +
      `${renderTable(summary.rows)}\n`,
  );
  if (options.cpuProfDir) log(`the gateway's CPU profile goes to ${options.cpuProfDir} when it stops`);
  if (jsonFile !== undefined) {
    const all = [...records.values()];
    const json = {
      date: new Date().toISOString(),
      options,
      sent: all.length,
      sentRate: result.duration > 0 ? all.length / result.duration : 0,
      durationS: result.duration,
      latencyMs: latencyStats(answeredDurations(all)),
      unanswered: all.filter((r) => r.answeredAt === undefined).length,
      notQueued: all.filter((r) => r.status !== undefined && r.outcome !== 'queued').length,
      errors: result.errors + result.non2xx + result.mismatches + result.resets,
      autocannon: {
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        mismatches: result.mismatches,
        resets: result.resets,
      },
      gatewayPeakRssBytes: peakRss,
      verdict: summary.verdict,
      rows: summary.rows,
    };
    await mkdir(path.dirname(jsonFile), { recursive: true });
    await writeFile(jsonFile, `${JSON.stringify(json, null, 2)}\n`);
    log(`results written to ${jsonFile}`);
  }
}

// ─── The gateway process ─────────────────────────────────────────────────────────────────────────

function startGateway(opts: { port: number; dir: string; options: Options; env: Record<string, string> }): {
  child: ChildProcess;
  logFile: string;
} {
  // Its log (one line per queued push, at the default level) goes to a file, as a deployment's would.
  const logFile = path.join(opts.dir, 'gateway.log');
  const fd = openSync(logFile, 'a');
  const profile = opts.options.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.options.cpuProfDir)}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...FROM_SOURCE, GATEWAY_MAIN], {
    cwd: opts.dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      ...opts.env,
      SELFREVIEW_GATEWAY_HOST: '127.0.0.1',
      SELFREVIEW_GATEWAY_PORT: String(opts.port),
      SELFREVIEW_DATA_DIR: path.join(opts.dir, 'data'),
      // A throw-away loopback Redis without persistence or password is what this is. A password is
      // sent once per connection, not per request, so the measured path is a deployment's.
      SELFREVIEW_REDIS_EPHEMERAL: '1',
      SELFREVIEW_REDIS_AUTH: 'optional',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  return { child, logFile };
}

async function waitForHealth(base: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
  throw new Error(`the gateway did not answer /healthz within 60 s; its log ends:\n${tail}`);
}

/** SIGTERM (the gateway closes and exits, writing a CPU profile if asked), SIGKILL after 10 s. */
async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (!(await Promise.race([gone.then(() => true), sleep(STEP_LIMIT_MS).then(() => false)]))) {
    child.kill('SIGKILL');
    await Promise.race([gone, sleep(2_000)]);
  }
}

/** Pushes to the second repository, 10 at a time: compiled routes and loaded scripts, not counted. */
async function warmUp(base: string, template: Record<string, unknown>, secret: string): Promise<void> {
  const runId = `warm${randomBytes(3).toString('hex')}`;
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < WARMUP_REQUESTS) {
      const d = pushDelivery(template, runId, next++, WARM_REPO, secret);
      const res = await fetch(`${base}/webhooks/github`, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
      });
      await res.arrayBuffer();
      if (res.status !== 202) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  log(`warm-up: ${WARMUP_REQUESTS} pushes to a second repository${failed > 0 ? `, ${failed} not 202` : ''}`);
}

// ─── /proc ───────────────────────────────────────────────────────────────────────────────────────

async function procStatus(pid: number): Promise<{ rss: number; hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** User + system CPU of a process (all threads); /proc counts 100 ticks a second on Linux. */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

/** VmRSS every 100 ms; the peak is the larger of that and the kernel's VmHWM at the end. */
function sampleRss(pid: number): { stop: () => Promise<number> } {
  let peak = 0;
  const timer = setInterval(() => {
    procStatus(pid).then(
      (s) => {
        peak = Math.max(peak, s.rss);
      },
      () => undefined,
    );
  }, 100);
  return {
    stop: async () => {
      clearInterval(timer);
      return Math.max(peak, (await procStatus(pid)).hwm);
    },
  };
}

// ─── Redis ───────────────────────────────────────────────────────────────────────────────────────

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (value('used_cpu_sys') + value('used_cpu_user')) * 1000;
}

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

async function deliveryIds(redis: Redis, prefix: string, runId: string): Promise<Set<string>> {
  const head = `${prefix}:delivery:github:`;
  const keys = await scanKeys(redis, `${head}${runId}-*`);
  return new Set(keys.map((k) => k.slice(head.length)));
}

/** Trigger jobs for the measured repository not yet taken by a worker (there is none here). */
async function triggerJobs(redis: Redis, prefix: string): Promise<TriggerFact[]> {
  const queue = createQueue(TRIGGER_QUEUE, redis, prefix);
  try {
    const found: TriggerFact[] = [];
    for (const state of ['waiting', 'delayed', 'prioritized', 'active'] as const) {
      for (const job of await queue.getJobs([state])) {
        if (job?.data.repo.name !== 'web') continue;
        found.push({
          id: String(job.id),
          state,
          source: job.data.source ?? '',
          after: job.data.kind === 'push' ? (job.data.after ?? '') : '',
        });
      }
    }
    return found;
  } finally {
    // The connection is the caller's: close the queue, not the connection.
    await queue.close().catch(() => undefined);
  }
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, `${prefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

// ─── Small helpers ───────────────────────────────────────────────────────────────────────────────

function pushTemplate(): Record<string, unknown> {
  type Definition = { name: string; examples: Record<string, unknown>[] };
  const definitions = createRequire(import.meta.url)(
    '@octokit/webhooks-examples/api.github.com/index.json',
  ) as Definition[];
  const push = definitions
    .find((d) => d.name === 'push')
    ?.examples.find((e) => String(e.ref).startsWith('refs/heads/') && e.deleted !== true);
  if (!push) throw new Error('@octokit/webhooks-examples has no branch push example');
  return push;
}

function outcomeOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { status?: unknown };
    return typeof parsed.status === 'string' ? parsed.status : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function autocannonVersion(): string {
  try {
    return (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let cleaning: Promise<void> | undefined;

/** Once, however often asked: the gateway first (so nothing writes any more), then keys, connection, server, folder. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of [...cleanups].reverse()) {
      const done = await Promise.race([
        step.run().then(
          () => true,
          (err: unknown) => {
            log(`clean-up of the ${step.what} failed: ${err instanceof Error ? err.message : String(err)}`);
            return true;
          },
        ),
        sleep(STEP_LIMIT_MS).then(() => false),
      ]);
      if (!done) log(`clean-up of the ${step.what} took over ${STEP_LIMIT_MS / 1000} s; going on`);
    }
  })();
  return cleaning;
}

let signalled = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (stopLoad && !signalled) {
    signalled = true;
    log(`${signal}: stopping the load early`);
    stopLoad();
    return;
  }
  log(`${signal}: cleaning up`);
  void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

let exitCode = 0;
try {
  await main();
} catch (err) {
  if (err instanceof UsageError) {
    // One line: what is wrong, and how it is called.
    process.stderr.write(err.message ? `webhook-bench: ${err.message}; ${USAGE}\n` : `${USAGE}\n`);
    exitCode = err.message ? 2 : 0;
  } else {
    process.stderr.write(
      `webhook-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    exitCode = 1;
  }
} finally {
  await cleanUp();
}
process.exit(exitCode);
