/**
 * `selfreview run [PATH] [--report FILE]`: the whole pipeline on one repository,
 * with the three workers as separate processes, until it drains.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@selfreview/shared/config';
import { RunLifecycle, type RunProgress, startRun } from '@selfreview/shared/coordinator';
import { UserInputError } from '@selfreview/shared/errors';
import { redactUrl } from '@selfreview/shared/logger';
import { startupModelCheck } from '@selfreview/shared/model/setup';
import { QUEUE_NAMES, type ScanJob } from '@selfreview/shared/queues';
import { checkRedisSettings, createRedis, type Redis, waitForReady } from '@selfreview/shared/redis';
import { type ProvidedRedis, provideRedis } from '@selfreview/shared/redis-server';
import { hasRootTsconfig } from '@selfreview/shared/repo-files';
import { buildReport } from '@selfreview/shared/report';
import { newRunId, RunStore } from '@selfreview/shared/runs';
import type { RunReport } from '@selfreview/shared/schemas';
import { PublishSettings, publishTokenEnvs, type RunPublishSettings } from '@selfreview/shared/server-config';
import { createQueue } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import type { Queue } from 'bullmq';
import { prepareExample } from '../example.ts';
import { RedisGoneError, RedisPatience, redisWaitSeconds } from '../redis-wait.ts';
import { renderSummary } from '../render.ts';
import { findRunBranches } from '../run-branches.ts';
import { lostReason, RunStateLost, Screen, waitUntilDrained } from '../run-watch.ts';
import { processEnv, Supervisor } from '../workers.ts';

export type RunOptions = {
  path: string | undefined;
  /**
   * Push and propose fix branches; absent: they stay in the local repository. Handed to the
   * run's own publisher process in its environment, never through Redis.
   */
  publish?: PublishSettings | undefined;
  reportFile: string | undefined;
  timeoutMinutes: number;
  env: NodeJS.ProcessEnv;
  out: NodeJS.WriteStream;
};

/**
 * `--publish`, `--remote`, `--forge kind:project`, `--forge-url`, `--token-env` as the run's
 * publish settings; undefined when none is given. Errors name the option.
 */
export function parsePublishOptions(opts: {
  publish: boolean | undefined;
  remote: string | undefined;
  forge: string | undefined;
  forgeUrl: string | undefined;
  tokenEnv: string | undefined;
}): PublishSettings | undefined {
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
  const parsed = PublishSettings.safeParse({
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
  const screen = new Screen(opts.out);
  const log = (line: string) => screen.line(line);
  const repoPath = opts.path ?? (await prepareExample());
  if (!opts.path) log(`No PATH given: running on the bundled example, copied to ${repoPath}`);
  const { repo, branch, sha } = await preflight(repoPath);
  await checkModelBeforeRun(opts.env, log);
  const waitSeconds = redisWaitSeconds(opts.env);
  const checkMode = redisCheckMode(opts.env);

  const redis = await provideRedis(opts.env);
  const config = loadConfig({ ...opts.env, REDIS_URL: redis.url });
  log(
    `Redis: ${redis.source === 'private' ? `private redis-server at ${redactUrl(redis.url)}` : redis.source === 'localhost' ? redactUrl(redis.url) : 'REDIS_URL'}`,
  );

  // The workers read the key by the same name; the CLI only needs to know whether there is one.
  const modelEnabled = Boolean(opts.env[config.modelApiKeyEnv]);
  const connection = createRedis(redis.url, 'producer');
  // Its failures reach the calls that make them (waited out below); the events add nothing.
  connection.on('error', () => {});
  let scanQueue: Queue<ScanJob> | null = null;
  const runs = new RunStore(connection, config.prefix);
  const lifecycle = new RunLifecycle(connection, config.prefix);
  const patience = new RedisPatience({ url: redis.url, waitSeconds, say: log });
  let supervisor: Supervisor | null = null;

  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  const checkInterrupt = () => {
    if (interrupted) throw new UserInputError('interrupted; queued work stays in Redis for the next run');
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    await waitForReady(connection);
    await checkRedisBeforeRun(connection, redis.source, checkMode, log);
    // Made after the check: BullMQ's own eviction warning would only repeat it, less clearly.
    const queue = createQueue('scan', connection, config.prefix);
    scanQueue = queue;
    queue.on('error', () => {});
    const runId = newRunId();
    const runDir = path.join(config.dataDir, 'runs', runId);
    await mkdir(runDir, { recursive: true });
    const workerEnv: Record<string, string> = {
      REDIS_URL: redis.url,
      SELFREVIEW_PREFIX: config.prefix,
      SELFREVIEW_DATA_DIR: config.dataDir,
      LOG_LEVEL: config.logLevel,
      // The private server has no persistence on purpose: the workers need not warn about it.
      ...(redis.source === 'private' ? { SELFREVIEW_REDIS_EPHEMERAL: '1' } : {}),
    };
    const runPublish: RunPublishSettings | null = opts.publish
      ? { ...opts.publish, repoPath: repo.root, baseBranch: branch }
      : null;
    // A run is not a deployment: a server configuration in the shell's environment is not its
    // own, and publish settings come from this command's options only.
    const { SELFREVIEW_SERVER_CONFIG: _server, SELFREVIEW_RUN_PUBLISH: _publish, ...from } = opts.env;
    const secrets = {
      model: [config.modelApiKeyEnv],
      forge: publishTokenEnvs(opts.publish),
      gateway: [],
      notify: [],
    };
    supervisor = new Supervisor({
      names: QUEUE_NAMES,
      env: (name) =>
        processEnv(name, {
          from,
          common: {
            ...workerEnv,
            ...(name === 'publish' && runPublish
              ? { SELFREVIEW_RUN_PUBLISH: JSON.stringify(runPublish) }
              : {}),
          },
          secrets,
        }),
      logDir: runDir,
      say: log,
    });
    supervisor.start();

    const startedAt = new Date().toISOString();
    // Every step of the start is idempotent (a hash, a set, a job id): after an outage it is
    // simply repeated.
    await patience.call(
      () =>
        startRun(
          { runs, lifecycle, scanQueue: queue },
          {
            meta: { runId, repoPath: repo.root, baseBranch: branch, baseSha: sha, startedAt },
            scan: { repo: { path: repo.root }, baseBranch: branch, baseSha: sha, mode: 'full' },
          },
        ),
      checkInterrupt,
    );
    log(
      `Run ${runId}: scan → apply → fix on ${repo.root} (${branch} @ ${sha.slice(0, 7)}); worker logs in ${runDir}`,
    );

    const ended = {
      runId,
      runDir,
      repo,
      baseBranch: branch,
      baseSha: sha,
      startedAt,
      modelEnabled,
      reportFile: opts.reportFile,
    };
    let last: RunProgress | null = null;
    try {
      await waitUntilDrained({
        runs,
        lifecycle,
        runId,
        supervisor,
        patience,
        timeoutMs: opts.timeoutMinutes * 60_000,
        screen,
        checkInterrupt,
        seen: (p) => {
          last = p;
        },
      });
    } catch (err) {
      if (!(err instanceof RunStateLost || err instanceof RedisGoneError)) throw err;
      screen.done();
      // Stopped first: a batch in flight finishes (or is stopped), so its branch is found below.
      // Without Redis no job can finish, so there is nothing to wait for beyond a moment.
      const graceMs = err instanceof RedisGoneError ? 3_000 : 15_000;
      log(`Stopping the workers (up to ${graceMs / 1000} s)…`);
      await supervisor.stop(graceMs);
      return await endWithoutState({ ...ended, reason: err.message, last, out: opts.out });
    }

    const input = await patience.call(() => runs.reportInput(runId), checkInterrupt);
    if (!input?.repo.baseSha) {
      await supervisor.stop();
      return await endWithoutState({ ...ended, reason: lostReason(patience), last, out: opts.out });
    }
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
    screen.done();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    await supervisor?.stop();
    await scanQueue?.close().catch(() => {});
    connection.disconnect();
    await redis.stop();
  }
}

/** SELFREVIEW_REDIS_CHECK: `strict` (default) refuses an evicting Redis, `warn` only says so. */
function redisCheckMode(env: NodeJS.ProcessEnv): 'strict' | 'warn' {
  const mode = env.SELFREVIEW_REDIS_CHECK ?? 'strict';
  if (mode !== 'strict' && mode !== 'warn')
    throw new UserInputError(`SELFREVIEW_REDIS_CHECK must be strict or warn, got ${JSON.stringify(mode)}`);
  return mode;
}

/**
 * The settings a run depends on, checked once here so a person reads each problem once (the
 * workers check again, into their logs). The private redis-server has no persistence on purpose.
 */
async function checkRedisBeforeRun(
  connection: Redis,
  source: ProvidedRedis['source'],
  mode: 'strict' | 'warn',
  log: (line: string) => void,
): Promise<void> {
  for (const problem of await checkRedisSettings(connection)) {
    if (problem.kind === 'persistence' && source === 'private') continue;
    if (problem.kind === 'eviction' && mode === 'strict')
      throw new UserInputError(`${problem.message} (or set SELFREVIEW_REDIS_CHECK=warn to run anyway)`);
    log(`Redis: warning: ${problem.message}`);
  }
}

/**
 * The end of a run whose record Redis no longer has (or that Redis stopped answering for): the
 * report says why, and what the repository still knows, the fix branches the run committed.
 * Printed and written like any report; the caller exits 1 with the reason.
 */
async function endWithoutState(opts: {
  runId: string;
  runDir: string;
  repo: Repository;
  baseBranch: string;
  baseSha: string;
  startedAt: string;
  modelEnabled: boolean;
  reportFile: string | undefined;
  reason: string;
  last: RunProgress | null;
  out: NodeJS.WriteStream;
}): Promise<never> {
  const branches = await findRunBranches(opts.repo, opts.runId, opts.baseSha);
  const seen = opts.last;
  const report = buildReport({
    runId: opts.runId,
    repo: { path: opts.repo.root, baseBranch: opts.baseBranch, baseSha: opts.baseSha },
    startedAt: opts.startedAt,
    finishedAt: new Date().toISOString(),
    files: 0,
    candidates: [],
    decisions: [],
    fixes: [],
    stageTimes: {},
    model: { enabled: opts.modelEnabled, calls: 0, inputTokens: 0, outputTokens: 0, estimatedCostUsd: 0 },
    warnings:
      branches.length > 0
        ? branches.map(
            (b) =>
              `fix branch of this run (found in the repository): ${b.branch} ${b.commit.slice(0, 7)} ${b.files.join(', ')}`,
          )
        : ['no fix branch of this run was found in the repository'],
    errors: [
      opts.reason,
      ...(seen
        ? [
            `last seen before: ${seen.files} files scanned, ${seen.candidates} candidates, ${seen.decisions} decisions, ${seen.fixResults} fix results; the details went with the run's state`,
          ]
        : []),
    ],
  });
  const reportFile = opts.reportFile ? path.resolve(opts.reportFile) : null;
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (reportFile) await writeFile(reportFile, text);
  await writeFile(path.join(opts.runDir, 'report.json'), text);
  opts.out.write(renderSummary(report, { reportFile, llm: opts.modelEnabled, runBranches: branches }));
  throw new Error(opts.reason);
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
