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
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, type ProvidedRedis, startPrivateRedis } from '@selfreview/shared/redis-server';
import { Redis } from 'ioredis';
import { gatewayConfig, REPO, startGateway, stopGateway, waitForHealth, warmUp } from './webhook-gateway.ts';
import { autocannonVersion, pushTemplate, startLoad } from './webhook-generator.ts';
import {
  answeredDurations,
  latencyStats,
  parseOptions,
  renderTable,
  summarise,
  USAGE,
  UsageError,
} from './webhook-load.ts';
import {
  cpuMsOf,
  deleteKeys,
  deliveryIds,
  procStatus,
  redisCpuMs,
  sampleRss,
  triggerJobs,
} from './webhook-probes.ts';

/** Each clean-up step gets this long; the whole clean-up a few times that at most. */
const STEP_LIMIT_MS = 10_000;

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
  const configEnv = await gatewayConfig(dir, { web: secret, warm: warmSecret });

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
      ...configEnv,
    },
  });
  gatewayChild = gateway.child;
  cleanups.push({ what: 'gateway', run: () => stopGateway(gateway.child, STEP_LIMIT_MS) });
  const pid = gateway.child.pid;
  if (pid === undefined) throw new Error('the gateway did not start');
  await waitForHealth(base, gateway.child, gateway.logFile);
  log(`gateway (pid ${pid}) listening on ${base}, key prefix ${prefix}`);

  const warm = await warmUp(base, template, warmSecret);
  log(
    `warm-up: ${warm.sent} pushes to a second repository${warm.failed > 0 ? `, ${warm.failed} not 202` : ''}`,
  );

  // ─── The load ────────────────────────────────────────────────────────────────────────────────
  const runId = randomBytes(4).toString('hex');
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
  const load = startLoad({ base, options, template, runId, repo: REPO, secret });
  stopLoad = load.stop;
  const result = await load.done;
  stopLoad = undefined;
  const { records } = load;

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
