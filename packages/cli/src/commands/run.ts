/**
 * `selfreview run [PATH] [--report FILE]`: the whole pipeline on one repository,
 * with the three workers as separate processes, until it drains.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@selfreview/shared/config';
import { UserInputError } from '@selfreview/shared/errors';
import { startupModelCheck } from '@selfreview/shared/model/setup';
import { jobId, QUEUE_NAMES, RepoRef, type ScanJob } from '@selfreview/shared/queues';
import { createRedis, waitForReady } from '@selfreview/shared/redis';
import { provideRedis } from '@selfreview/shared/redis-server';
import { hasRootTsconfig } from '@selfreview/shared/repo-files';
import { buildReport } from '@selfreview/shared/report';
import { newRunId, RunStore } from '@selfreview/shared/runs';
import type { RunReport } from '@selfreview/shared/schemas';
import { createQueue } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import { prepareExample } from '../example.ts';
import { renderProgress, renderSummary } from '../render.ts';
import { spawnWorker, stopWorkers, type WorkerProcess } from '../workers.ts';

export type RunOptions = {
  path: string | undefined;
  /** Push and propose fix branches; absent: they stay in the local repository. */
  publish?: RepoRef['publish'];
  reportFile: string | undefined;
  timeoutMinutes: number;
  env: NodeJS.ProcessEnv;
  out: NodeJS.WriteStream;
};

/**
 * `--publish`, `--remote`, `--forge kind:project`, `--forge-url`, `--token-env` as the job's
 * publish settings; undefined when none is given. Errors name the option.
 */
export function parsePublishOptions(opts: {
  publish: boolean | undefined;
  remote: string | undefined;
  forge: string | undefined;
  forgeUrl: string | undefined;
  tokenEnv: string | undefined;
}): RepoRef['publish'] {
  const wanted = opts.publish || opts.forge !== undefined;
  if (!wanted) {
    const stray = (['remote', 'forgeUrl', 'tokenEnv'] as const).find((k) => opts[k] !== undefined);
    if (stray) throw new UserInputError(`--${OPTION_NAMES[stray]} only applies with --publish or --forge`);
    return undefined;
  }
  let forge: { kind: string; project: string; apiUrl?: string } | undefined;
  if (opts.forge !== undefined) {
    const m = /^(github|gitlab):(.+)$/.exec(opts.forge);
    if (!m?.[1] || !m[2]) {
      throw new UserInputError(
        `--forge must be github:OWNER/NAME or gitlab:GROUP/PROJECT, got ${JSON.stringify(opts.forge)}`,
      );
    }
    forge = { kind: m[1], project: m[2], ...(opts.forgeUrl !== undefined ? { apiUrl: opts.forgeUrl } : {}) };
  } else if (opts.forgeUrl !== undefined) {
    throw new UserInputError('--forge-url needs --forge KIND:PROJECT');
  }
  const parsed = RepoRef.shape.publish.safeParse({
    ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
    ...(forge ? { forge } : {}),
    ...(opts.tokenEnv !== undefined ? { tokenEnv: opts.tokenEnv } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path.at(-1) ?? 'publish');
    const option =
      { remote: 'remote', project: 'forge', apiUrl: 'forge-url', tokenEnv: 'token-env' }[key] ?? key;
    throw new UserInputError(`--${option}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const OPTION_NAMES = { remote: 'remote', forgeUrl: 'forge-url', tokenEnv: 'token-env' } as const;

/** Checks the repository before anything starts, so a wrong PATH is one clear line. */
export async function preflight(
  repoPath: string,
): Promise<{ repo: Repository; branch: string; sha: string }> {
  const repo = await Repository.open(repoPath);
  if (!(await repo.hasCommits())) throw new UserInputError(`${repoPath}: the repository has no commits yet`);
  const { branch, sha } = await repo.head();
  const tree = await repo.listFilesWithSize(sha);
  if (!hasRootTsconfig(tree)) {
    throw new UserInputError(
      `${repoPath}: no tsconfig.json at the repository root (committed at ${sha.slice(0, 7)})`,
    );
  }
  return { repo, branch, sha };
}

export async function runCommand(opts: RunOptions): Promise<RunReport> {
  const log = (line: string) => opts.out.write(`${line}\n`);
  const repoPath = opts.path ?? (await prepareExample());
  if (!opts.path) log(`No PATH given: running on the bundled example, copied to ${repoPath}`);
  const { repo, branch, sha } = await preflight(repoPath);
  await checkModelBeforeRun(opts.env, log);

  const redis = await provideRedis(opts.env);
  const config = loadConfig({ ...opts.env, REDIS_URL: redis.url });
  log(
    `Redis: ${redis.source === 'private' ? `private redis-server at ${redis.url}` : redis.source === 'localhost' ? redis.url : 'REDIS_URL'}`,
  );

  // The workers read the key by the same name; the CLI only needs to know whether there is one.
  const modelEnabled = Boolean(opts.env[config.modelApiKeyEnv]);
  const runId = newRunId();
  const runDir = path.join(config.dataDir, 'runs', runId);
  await mkdir(runDir, { recursive: true });
  const workerEnv = {
    REDIS_URL: redis.url,
    SELFREVIEW_PREFIX: config.prefix,
    SELFREVIEW_DATA_DIR: config.dataDir,
    LOG_LEVEL: config.logLevel,
  };
  const workers: WorkerProcess[] = QUEUE_NAMES.map((stage) => spawnWorker(stage, workerEnv, runDir));
  const connection = createRedis(redis.url, 'producer');
  connection.on('error', () => {});
  const scanQueue = createQueue('scan', connection, config.prefix);
  const runs = new RunStore(connection, config.prefix);

  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    await waitForReady(connection);
    const startedAt = new Date().toISOString();
    await runs.create({ runId, repoPath: repo.root, baseBranch: branch, baseSha: sha, startedAt });
    const scanJobId = jobId(runId, 'scan');
    await runs.openJobs(runId, 'scan', [scanJobId]);
    const repoRef: RepoRef = { path: repo.root, ...(opts.publish ? { publish: opts.publish } : {}) };
    const job: ScanJob = { runId, repo: repoRef, baseBranch: branch, baseSha: sha, mode: 'full' };
    await scanQueue.add('full-scan', job, { jobId: scanJobId });
    log(
      `Run ${runId}: scan → apply → fix on ${repo.root} (${branch} @ ${sha.slice(0, 7)}); worker logs in ${runDir}`,
    );

    await waitUntilDrained({
      runs,
      runId,
      workers,
      timeoutMs: opts.timeoutMinutes * 60_000,
      out: opts.out,
      interrupted: () => interrupted,
    });

    const input = await runs.reportInput(runId);
    if (!input) throw new Error(`run ${runId} left no record in Redis`);
    const report = buildReport({
      ...input,
      finishedAt: new Date().toISOString(),
      model: { ...input.model, enabled: modelEnabled },
    });
    const reportFile = opts.reportFile ? path.resolve(opts.reportFile) : null;
    if (reportFile) await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(runDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    opts.out.write(renderSummary(report, { reportFile, llm: modelEnabled }));
    return report;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    await stopWorkers(workers);
    await scanQueue.close().catch(() => {});
    connection.disconnect();
    await redis.stop();
  }
}

/**
 * With a key set, the model is checked once before any worker starts: a retired or unknown
 * model is one line and exit code 2 (nothing queued, no Redis started); a failed check is a warning.
 */
async function checkModelBeforeRun(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const check = await startupModelCheck(loadConfig(env), env);
  if (check === null) return;
  if (check.status === 'unusable') throw new UserInputError(check.line);
  if (check.status !== 'active') log(`Model: warning: ${check.warning}`);
}

async function waitUntilDrained(opts: {
  runs: RunStore;
  runId: string;
  workers: readonly WorkerProcess[];
  timeoutMs: number;
  out: NodeJS.WriteStream;
  interrupted: () => boolean;
}): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const tty = opts.out.isTTY === true;
  let last = '';
  for (;;) {
    if (opts.interrupted())
      throw new UserInputError('interrupted; queued work stays in Redis for the next run');
    const dead = opts.workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
    if (dead) {
      throw new Error(
        `the ${dead.stage} worker stopped unexpectedly (exit ${dead.child.exitCode ?? dead.child.signalCode}); see ${dead.logFile}`,
      );
    }
    const progress = await opts.runs.progress(opts.runId);
    const meta = await opts.runs.meta(opts.runId);
    const line = renderProgress(progress, {
      applyJobs: meta?.applyJobs !== undefined ? Number(meta.applyJobs) : null,
      fixBatches: meta?.fixBatches !== undefined ? Number(meta.fixBatches) : null,
    });
    if (line !== last) {
      opts.out.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      last = line;
    }
    if (RunStore.isDrained(progress)) break;
    if (Date.now() > deadline)
      throw new Error(`the pipeline did not drain within ${Math.round(opts.timeoutMs / 60_000)} min`);
    await new Promise((r) => setTimeout(r, 250));
  }
  if (tty) opts.out.write('\n');
}
