/**
 * Apply throughput (issue 16 item 3): how many candidates per second the apply worker judges,
 * measured the way a run does it.
 *
 *   node --conditions=source --import tsx tests/bench/apply-bench.ts <repository> [<repository> ...]
 *        [--rescan] [--concurrency N] [--decisions DIR] [--cpu-prof DIR] [--json FILE]
 *
 * For each repository (a checkout with its dependencies installed, at the commit to scan):
 * - scan: the real `selfreview scan --json` in a child process, once per commit; its output is
 *   cached in `.cache/bench/apply/<folder>-<commit>.json` (`--rescan` scans again). The scan is
 *   not timed: it only supplies the candidates.
 * - apply: a private redis-server, the real BullMQ worker (`startWorker` with
 *   `createApplyProcessor`, in this process, logging at info to a file as a worker would), a run
 *   created as the trigger does, its scan job opened, then the coordinator's hand-over to apply
 *   (the jobs exactly as a scan job queues them) and the scan job's close. Timed from the
 *   hand-over until the last apply job has closed and handed the run over to fix (no fix worker
 *   runs: the fix jobs stay queued).
 * - checked afterwards: no apply job failed, and the run holds one decision per candidate.
 *   `--decisions DIR` writes them to DIR/<folder>-<commit>.json, sorted by candidate id, to compare
 *   the judgements of two versions.
 *
 * Printed per repository: candidates, files, apply jobs, seconds, the CPU time of this process (the
 * worker's) meanwhile, candidates/s, the peak RSS of this process during apply (VmHWM, reset
 * before apply starts; the worker lives here), and per
 * job the git processes started and the Redis commands the server processed (INFO commandstats,
 * every client: worker, queues, coordinator) with the socket writes to Redis from this process
 * (about the round trips: a pipeline or MULTI is one write). `--cpu-prof DIR` writes a CPU
 * profile of this process over the timed part alone (the worker's work, not start-up or the
 * scan) to DIR/apply-<folder>.cpuprofile, for Chrome's DevTools or `speedscope`. `--json FILE`
 * writes the results (one object per repository, the table's numbers unrounded) to FILE.
 */
import childProcess, { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import inspector from 'node:inspector/promises';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RepoIndexCache } from '@selfreview/apply/judge';
import { createApplyProcessor } from '@selfreview/apply/processor';
import { loadConfig } from '@selfreview/shared/config';
import { RunCoordinator } from '@selfreview/shared/coordinator';
import { createLogger } from '@selfreview/shared/logger';
import { FindingMemory } from '@selfreview/shared/memory';
import { jobId } from '@selfreview/shared/queues';
import { startPrivateRedis } from '@selfreview/shared/redis-server';
import { newRunId } from '@selfreview/shared/runs';
import { Candidate } from '@selfreview/shared/schemas';
import { createQueue, JobRepositories, startWorker } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { CLI_MAIN, TSX } from '../helpers/cli.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const USAGE =
  'usage: pnpm bench:apply <repository> [<repository> ...] [--rescan] [--concurrency N] [--decisions DIR] [--cpu-prof DIR] [--json FILE]';

// ─── Counting git processes and Redis writes (before anything spawns or connects) ──────────────
let gitSpawns = 0;
const originalSpawn = childProcess.spawn;
childProcess.spawn = ((command: string, ...rest: unknown[]) => {
  if (command === 'git') gitSpawns += 1;
  return (originalSpawn as (...a: unknown[]) => unknown)(command, ...rest);
}) as typeof childProcess.spawn;
// `import { spawn } from 'node:child_process'` elsewhere sees the counting one too.
syncBuiltinESMExports();

let redisPort = -1;
let redisWrites = 0;
const originalWrite = net.Socket.prototype.write;
net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
  if (this.remotePort === redisPort) redisWrites += 1;
  return (originalWrite as (...a: unknown[]) => boolean).apply(this, args);
} as typeof net.Socket.prototype.write;

function log(msg: string): void {
  process.stderr.write(`[apply-bench] ${msg}\n`);
}

type ScanFile = { sha: string; files: number; candidates: unknown[]; errors: string[] };

type Result = {
  repo: string;
  sha: string;
  candidates: number;
  files: number;
  jobs: number;
  seconds: number;
  /** User + system time of this process (the worker) over the timed part. */
  cpuSeconds: number;
  perSecond: number;
  peakRssMb: number;
  gitPerJob: number;
  redisCommandsPerJob: number;
  redisWritesPerJob: number;
  decisions: number;
  failed: number;
  fixBatches: number;
  verdicts: Record<string, number>;
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rescan: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      decisions: { type: 'string' },
      'cpu-prof': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help || positionals.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const results: Result[] = [];
  for (const repo of positionals) {
    const scan = await scanOnce(path.resolve(repo), values.rescan);
    results.push(await benchApply(path.resolve(repo), scan, values));
  }
  process.stdout.write(`${renderResults(results)}\n`);
  if (values.json) {
    const out = path.resolve(values.json);
    await mkdir(path.dirname(out), { recursive: true });
    const json = { date: new Date().toISOString(), goal: { candidatesPerSecond: 500 }, results };
    writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
    log(`results written to ${out}`);
  }
}

/** The scan's output for the checkout's commit, from the cache or a fresh `selfreview scan --json`. */
async function scanOnce(repoPath: string, rescan: boolean): Promise<ScanFile> {
  const repo = await Repository.open(repoPath);
  const { sha } = await repo.head();
  const cacheDir = path.join(REPO_ROOT, '.cache/bench/apply');
  const file = path.join(cacheDir, `${path.basename(repo.root)}-${sha}.json`);
  if (!rescan && existsSync(file)) {
    log(`${repoPath}: scan of ${sha.slice(0, 12)} from ${path.relative(REPO_ROOT, file)}`);
    return JSON.parse(await readFile(file, 'utf8')) as ScanFile;
  }
  await mkdir(cacheDir, { recursive: true });
  log(`${repoPath}: selfreview scan --json at ${sha.slice(0, 12)} (not timed)`);
  const started = performance.now();
  const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI_MAIN, 'scan', repoPath, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      // Exit 1 means the scan lost some work (its errors say what); the candidates are still usable.
      if (code !== 0 && code !== 1) return reject(new Error(`selfreview scan exited with ${code}`));
      writeFileSync(partial, Buffer.concat(chunks));
      resolve();
    });
  });
  await rename(partial, file);
  log(`${repoPath}: scanned in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return JSON.parse(await readFile(file, 'utf8')) as ScanFile;
}

async function benchApply(
  repoPath: string,
  scan: ScanFile,
  opts: { concurrency?: string | undefined; decisions?: string | undefined; 'cpu-prof'?: string | undefined },
): Promise<Result> {
  const { concurrency } = opts;
  const candidates = scan.candidates.map((c) => Candidate.parse(c));
  const files = new Set(candidates.map((c) => c.file)).size;
  const repo = await Repository.open(repoPath);
  const { branch } = await repo.head();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-apply-bench-'));
  const server = await startPrivateRedis();
  redisPort = Number(new URL(server.url).port);
  const prefix = `ab-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    REDIS_URL: server.url,
    SELFREVIEW_PREFIX: prefix,
    SELFREVIEW_DATA_DIR: dir,
    LOG_LEVEL: 'info',
    ...(concurrency ? { SELFREVIEW_CONCURRENCY: concurrency } : {}),
  });
  const logFile = path.join(dir, 'apply.log');
  const workerLog = createLogger({ name: 'apply', level: 'info' }, pino.destination({ dest: logFile }));
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const coordinator = new RunCoordinator({ redis, prefix, env: {}, log: workerLog });
  const applyQueue = createQueue('apply', redis, prefix);
  const fixQueue = createQueue('fix', redis, prefix);
  const repositories = new JobRepositories();
  const worker = startWorker({
    queue: 'apply',
    config,
    log: workerLog,
    processor: createApplyProcessor({
      coordinator,
      fixQueue,
      llmAvailable: false,
      memory: new FindingMemory(redis, prefix),
      indexes: new RepoIndexCache(),
      repositories,
    }),
  });
  try {
    await worker.waitUntilReady();
    const runId = newRunId();
    const run = { runId, repo: { path: repo.root }, baseBranch: branch, baseSha: scan.sha };
    await coordinator.runs.create({
      runId,
      repoPath: repo.root,
      baseBranch: branch,
      baseSha: scan.sha,
      startedAt: new Date().toISOString(),
    });
    const scanJobId = jobId(runId, 'scan');
    await coordinator.lifecycle.openJobs(runId, 'scan', [scanJobId]);
    await coordinator.runs.putCandidates(runId, candidates, scan.files);

    let completed = 0;
    let failed = 0;
    let jobs = Number.POSITIVE_INFINITY;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const check = () => {
      if (completed + failed >= jobs) done();
    };
    worker.on('completed', () => {
      completed += 1;
      check();
    });
    worker.on('failed', (job, err) => {
      // A retried job fails more than once; only its last attempt counts.
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) failed += 1;
      log(`job ${job?.id} failed: ${err.message}`);
      check();
    });

    resetPeakRss();
    const stats = await commandCount(redis);
    const gitBefore = gitSpawns;
    const writesBefore = redisWrites;
    log(`${repoPath}: apply, ${candidates.length} candidates in ${files} files`);
    const profiler = opts['cpu-prof'] ? await startProfile() : null;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    jobs = await coordinator.handOverToApply(applyQueue, run, candidates);
    await coordinator.runs.markStage(runId, 'scan', Date.now(), Date.now());
    await coordinator.closeStageJob(fixQueue, { stage: 'scan', jobId: scanJobId, run }, 20);
    check();
    await finished;
    // The last apply job hands over to fix inside its processor, before it completes.
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (profiler && opts['cpu-prof']) {
      const out = path.resolve(opts['cpu-prof'], `apply-${path.basename(repo.root)}.cpuprofile`);
      await mkdir(path.dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify(await profiler.stop()));
      log(`CPU profile of the timed part written to ${out}`);
    }
    const peakRssMb = peakRssBytes() / 2 ** 20;
    const gitPerJob = (gitSpawns - gitBefore) / jobs;
    const writesPerJob = (redisWrites - writesBefore) / jobs;
    const commandsPerJob = ((await commandCount(redis)) - stats - 1) / jobs;

    const decisions = await coordinator.runs.decisions(runId);
    const progress = await coordinator.lifecycle.progress(runId);
    const meta = await coordinator.runs.meta(runId);
    if (progress.open.apply !== 0 || progress.flushing)
      log(`warning: ${progress.open.apply} apply jobs still open, flushing ${progress.flushing}`);
    if (decisions.length !== candidates.length)
      log(`warning: ${decisions.length} decisions for ${candidates.length} candidates`);
    if (opts.decisions) {
      const out = path.resolve(opts.decisions, `${path.basename(repo.root)}-${scan.sha}.json`);
      await mkdir(path.dirname(out), { recursive: true });
      const sorted = [...decisions].sort((a, b) => (a.candidateId < b.candidateId ? -1 : 1));
      writeFileSync(out, `${JSON.stringify(sorted, null, 1)}\n`);
      log(`decisions written to ${out}`);
    }
    const verdicts: Record<string, number> = {};
    for (const d of decisions) verdicts[d.verdict] = (verdicts[d.verdict] ?? 0) + 1;
    const result: Result = {
      repo: `${path.basename(repo.root)} ${scan.sha.slice(0, 9)}`,
      sha: scan.sha,
      candidates: candidates.length,
      files,
      jobs,
      seconds,
      cpuSeconds,
      perSecond: candidates.length / seconds,
      peakRssMb,
      gitPerJob,
      redisCommandsPerJob: commandsPerJob,
      redisWritesPerJob: writesPerJob,
      decisions: decisions.length,
      failed,
      fixBatches: Number(meta?.fixBatches ?? 0),
      verdicts,
    };
    log(`${repoPath}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await worker.close();
    await repositories.close();
    await applyQueue.close();
    await fixQueue.close();
    await redis.quit().catch(() => {});
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The inspector's sampling profiler, in this process, from now until stop(). */
async function startProfile(): Promise<{ stop: () => Promise<unknown> }> {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

/** Commands the server has processed, from every client (INFO commandstats), this INFO included. */
async function commandCount(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) total += Number(m[1]);
  return total;
}

/** Writing 5 to clear_refs resets the process's VmHWM (Linux), so the peak is apply's own. */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    log('could not reset VmHWM: the peak includes what ran before apply');
  }
}

function peakRssBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.memoryUsage().rss;
}

function renderResults(results: readonly Result[]): string {
  const lines = [
    '| repository | candidates | files | apply jobs | seconds | worker CPU (s) | candidates/s | peak RSS (MB) | git processes / job | Redis commands / job | Redis writes / job |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.repo} | ${r.candidates} | ${r.files} | ${r.jobs} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${r.perSecond.toFixed(0)} | ${r.peakRssMb.toFixed(0)} | ${r.gitPerJob.toFixed(1)} | ${r.redisCommandsPerJob.toFixed(1)} | ${r.redisWritesPerJob.toFixed(1)} |`,
    );
  }
  lines.push('');
  for (const r of results) {
    const verdicts = Object.entries(r.verdicts)
      .sort()
      .map(([v, n]) => `${v} ${n}`)
      .join(', ');
    lines.push(
      `${r.repo}: ${r.decisions} decisions for ${r.candidates} candidates (${verdicts}); ${r.failed} failed jobs; ${r.fixBatches} fix batches; goal ≥ 500 candidates/s ${r.perSecond >= 500 ? 'met' : 'MISSED'}`,
    );
  }
  return lines.join('\n');
}

// The worker's own Redis connection (startWorker's) stays open, as in a worker until its exit.
main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => process.exit());
