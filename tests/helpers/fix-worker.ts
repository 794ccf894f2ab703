/**
 * Real fix worker processes for fault tests, and fix jobs for small fixture repositories:
 * a worker runs services/fix/src/main.ts from its sources (FROM_SOURCE), as a deployment runs its build.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeFile } from '@selfreview/scan/analyze';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import type { FixJob } from '@selfreview/shared/queues';
import type { Redis } from '@selfreview/shared/redis';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import type { JobsOptions, Queue } from 'bullmq';
import { FROM_SOURCE } from './cli.ts';
import { git, removeDir } from './git.ts';
import { cleanPrefix, connect } from './redis.ts';

/** A stage worker's entry point, as a deployment starts it. */
const workerMain = (stage: 'scan' | 'fix') =>
  fileURLToPath(new URL(`../../services/${stage}/src/main.ts`, import.meta.url));

export type WorkerProc = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/**
 * A fix worker process. It keeps no worktrees between batches unless `env` says so: these tests
 * look at the worktrees a batch leaves while the worker still runs; kept ones are tested in
 * fault-fix-worker-pool.test.ts.
 */
export function startFixWorker(env: Record<string, string>): WorkerProc {
  return startWorkerProcess('fix', { SELFREVIEW_FIX_KEPT_WORKTREES: '0', ...env });
}

export function startWorkerProcess(stage: 'scan' | 'fix', env: Record<string, string>): WorkerProc {
  const child = spawn(process.execPath, [...FROM_SOURCE, workerMain(stage)], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
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

// One polling helper for every process test.
export { until } from './processes.ts';

/** The unused-import items the scan would find in `text`, judged fixable. */
export function unusedImportItems(file: string, text: string): FixItem[] {
  return analyzeFile(file, text, { rules: ['unused-import'] }).candidates.map((candidate) => ({
    candidate,
    changeType: 'remove_unused_import',
    confidence: 0.95,
  }));
}

/**
 * A run as apply leaves it for fix: recorded at the repository's HEAD, one batch per entry of
 * `batches` (files of `sources`, their unused imports as items) opened for fix and queued with
 * `jobOptions`. Returns the jobs, in `batches`' order (batch ids `<runId>-b-1`, ...).
 */
export async function queueFixRun(opts: {
  redis: Redis;
  prefix: string;
  queue: Queue;
  repo: string;
  runId: string;
  sources: Record<string, string>;
  batches: readonly (readonly string[])[];
  jobOptions?: JobsOptions;
}): Promise<FixJob[]> {
  const { runId, repo } = opts;
  const baseSha = await git(repo, 'rev-parse', 'HEAD');
  await new RunStore(opts.redis, opts.prefix).create({
    runId,
    repoPath: repo,
    baseBranch: 'main',
    baseSha,
    startedAt: new Date().toISOString(),
  });
  const jobs: FixJob[] = opts.batches.map((files, i) => ({
    runId,
    repo: { path: repo },
    baseBranch: 'main',
    baseSha,
    batchId: `${runId}-b-${i + 1}`,
    files: files.map((file) => ({ file, items: unusedImportItems(file, opts.sources[file] ?? '') })),
  }));
  await new RunLifecycle(opts.redis, opts.prefix).openJobs(
    runId,
    'fix',
    jobs.map((j) => j.batchId),
  );
  for (const j of jobs) await opts.queue.add('fix-batch', j, { ...opts.jobOptions, jobId: j.batchId });
  return jobs;
}

/** One batch of one file of `sources`. */
export function oneFileBatch(
  sources: Record<string, string>,
  file: string,
  job: { runId: string; repo: string; baseSha: string; batchId: string },
): FixJob {
  return {
    runId: job.runId,
    repo: { path: job.repo },
    baseBranch: 'main',
    baseSha: job.baseSha,
    batchId: job.batchId,
    files: [{ file, items: unusedImportItems(file, sources[file] ?? '') }],
  };
}

/**
 * Sources whose "tests" say when they start (a file named after their worktree) and then wait
 * until the test lets them go (a `release` file, at most 30 s), so a batch can be caught mid-way.
 */
export function sources(scratch: string): Record<string, string> {
  const started = path.join(scratch, 'started');
  const release = path.join(scratch, 'release');
  return {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, types: [] },
      include: ['src'],
    }),
    'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
    'src/a.ts': "import { a, b } from './m';\nexport const x = a;\n",
    'src/b.ts': "import { a, b } from './m';\nexport const y = b;\n",
    'src/c.ts': "import { a, b } from './m';\nexport const z = a;\n",
    'test/wait.cjs': [
      "const fs = require('node:fs');",
      "const path = require('node:path');",
      `fs.mkdirSync(${JSON.stringify(started)}, { recursive: true });`,
      `fs.writeFileSync(path.join(${JSON.stringify(started)}, path.basename(process.cwd())), String(process.pid));`,
      'const end = Date.now() + 30000;',
      `const timer = setInterval(() => { if (fs.existsSync(${JSON.stringify(release)}) || Date.now() > end) clearInterval(timer); }, 50);`,
      '',
    ].join('\n'),
    'selfreview.config.json': JSON.stringify({ fix: { test: { command: ['node', 'test/wait.cjs'] } } }),
  };
}

export async function branches(repo: string): Promise<{ name: string; commits: number; files: string[] }[]> {
  const base = await git(repo, 'rev-parse', 'main');
  const names = (await git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/selfreview/'))
    .split('\n')
    .filter(Boolean);
  return Promise.all(
    names.map(async (name) => ({
      name,
      commits: Number(await git(repo, 'rev-list', '--count', `${base}..${name}`)),
      files: (await git(repo, 'diff', '--name-only', base, name)).split('\n').filter(Boolean),
    })),
  );
}

export async function leftoverWorktrees(dataDir: string): Promise<string[]> {
  const root = path.join(dataDir, 'worktrees');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const repoDir of await readdir(root)) {
    for (const e of await readdir(path.join(root, repoDir), { withFileTypes: true })) {
      if (e.isDirectory() || e.name.endsWith('.owner')) out.push(`${repoDir}/${e.name}`);
    }
  }
  return out;
}

/**
 * What a test of fix worker processes keeps to clean up: the workers it started (killed if still
 * running), its queues, its Redis prefixes and its folders. Call `cleanUp` in afterAll.
 */
export function workerTestBed() {
  const redis = connect();
  const prefixes: string[] = [];
  const dirs: string[] = [];
  const workers: WorkerProc[] = [];
  const queues: Queue[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    for (const q of queues) await q.close();
    for (const p of prefixes) await cleanPrefix(redis, p);
    redis.disconnect();
    for (const d of dirs) await removeDir(d);
  };
  return { redis, prefixes, dirs, workers, queues, cleanUp };
}
