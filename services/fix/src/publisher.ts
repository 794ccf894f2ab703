/**
 * The publish job: a batch the fix worker committed and verified, pushed and proposed by the
 * publisher process. That process holds the forge tokens and runs no repository code; what it
 * publishes, where, and with which token it decides from its own settings (the server
 * configuration by repository name, or `selfreview run`'s options), never from the job. It
 * checks the job against the run's record and the repository before anything leaves the host.
 */
import { existsSync } from 'node:fs';
import type { RunLifecycle } from '@selfreview/shared/coordinator';
import { ConfigError } from '@selfreview/shared/errors';
import type { ProposalIndex } from '@selfreview/shared/proposals';
import { type PublishJob, publishJobId } from '@selfreview/shared/queues';
import type { RunStore } from '@selfreview/shared/runs';
import type { PullRequestRecord } from '@selfreview/shared/schemas';
import { loadServerConfig, RunPublishSettings, type ServerConfig } from '@selfreview/shared/server-config';
import type { ProcessContext } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import { UnrecoverableError } from 'bullmq';
import { hasBatchTrailer } from './branch.ts';
import type { BranchHandover } from './branch-handover.ts';
import {
  type Credentials,
  localOnly,
  type PublishInput,
  type PublishOutcome,
  type PublishTarget,
  publishBatch,
} from './publish.ts';

export const NOT_REQUESTED = 'publishing not requested: the branch stays in the local repository';

/** Where a job's batch may be published from, and how; or why it stays local. */
export type Resolution = { target: PublishTarget } | { local: string };
export type Resolver = (data: PublishJob) => Promise<Resolution>;

export type PublisherDeps = {
  runs: RunStore;
  resolve: Resolver;
  /** Tokens by the NAME of their variable: the publisher's own environment. */
  credentials: Credentials;
  /**
   * The run's open jobs (the coordinator's RunLifecycle): the batch's publish job is closed when
   * it is done or failed for good. Absent only in tests that do not watch the run.
   */
  lifecycle?: Pick<RunLifecycle, 'closeJob'>;
  /** Ends the run when its last job closes (summary, finishedAt). */
  finishRun?: (runId: string) => Promise<unknown>;
  forgeFor?: PublishInput['forgeFor'];
  proposals?: ProposalIndex;
  /** Branches fix workers on other hosts committed, kept in Redis; absent: only local branches. */
  handover?: Pick<BranchHandover, 'take'>;
};

export function createPublishProcessor(deps: PublisherDeps) {
  return async (data: PublishJob, { log }: ProcessContext): Promise<PullRequestRecord> => {
    // A job handed over again (a crash after proposing, a re-run fix batch) changes nothing.
    const prior = (await deps.runs.pullRequests(data.runId)).find((p) => p.batchId === data.batchId);
    if (prior && prior.status !== 'failed' && prior.branch === data.branch) {
      await closePublishJob(deps, data);
      return prior;
    }
    const outcome = await publishOne(deps, data, log);
    await deps.runs.putPullRequest(data.runId, outcome.record);
    if (outcome.record.status === 'failed') {
      // The commit stands; only the proposal failed. A transient failure is retried by the queue.
      const message = `branch ${data.branch} committed but not proposed: ${outcome.record.reason}`;
      throw outcome.permanent ? new UnrecoverableError(message) : new Error(message);
    }
    log.info(
      { status: outcome.record.status, url: outcome.record.url, labels: outcome.record.labels },
      outcome.record.status === 'local_only' ? 'branch kept local' : 'batch proposed',
    );
    await closePublishJob(deps, data);
    return outcome.record;
  };
}

async function publishOne(
  deps: PublisherDeps,
  data: PublishJob,
  log: ProcessContext['log'],
): Promise<PublishOutcome> {
  const failed = (reason: string): PublishOutcome => ({
    record: {
      batchId: data.batchId,
      branch: data.branch,
      status: 'failed',
      forge: null,
      url: null,
      number: null,
      labels: [],
      reason,
    },
    permanent: true,
  });
  // Only what the fix worker recorded as committed and verified, at exactly this commit.
  const committed = (await deps.runs.fixResults(data.runId)).filter(
    (r) =>
      r.batchId === data.batchId &&
      r.status === 'committed' &&
      r.branch === data.branch &&
      r.commit === data.commit,
  );
  if (committed.length === 0) {
    return failed(`the run records no committed fix of batch ${data.batchId} at ${data.commit.slice(0, 12)}`);
  }
  const resolution = await deps.resolve(data);
  if ('local' in resolution) return localOnly(data.batchId, data.branch, resolution.local);
  const { repo } = resolution.target;
  // Committed on another host: the fix worker kept the branch in Redis (branch-handover.ts).
  if ((await repo.resolveBranch(data.branch)) === null && deps.handover) {
    if (await deps.handover.take(repo, data, log))
      log.info({ branch: data.branch }, 'branch taken from the fix worker');
  }
  const tip = await repo.resolveBranch(data.branch);
  if (tip !== data.commit) {
    return failed(
      `branch ${data.branch} is at ${tip?.slice(0, 12) ?? 'nothing'} in ${repo.root}, not at the verified commit ${data.commit.slice(0, 12)}: not published`,
    );
  }
  if (!hasBatchTrailer(await repo.commitMessage(tip), data.batchId)) {
    return failed(`commit ${tip.slice(0, 12)} was not made by batch ${data.batchId}: not published`);
  }
  const ids = new Set(committed.flatMap((r) => r.candidateIds));
  return publishBatch({
    target: resolution.target,
    runId: data.runId,
    batchId: data.batchId,
    baseSha: data.baseSha,
    branch: data.branch,
    committed,
    items: data.items.filter((i) => ids.has(i.candidate.id)),
    credentials: deps.credentials,
    log,
    ...(deps.forgeFor ? { forgeFor: deps.forgeFor } : {}),
    ...(deps.proposals ? { proposals: deps.proposals } : {}),
  });
}

/** The job is done (or handed over again after it was): the run may end with it. */
async function closePublishJob(
  deps: Pick<PublisherDeps, 'lifecycle' | 'finishRun'>,
  data: PublishJob,
): Promise<void> {
  await deps.lifecycle?.closeJob(data.runId, 'publish', publishJobId(data.batchId));
  await deps.finishRun?.(data.runId);
}

/** No publishing settings at all: every branch stays local. */
export const noPublishing: Resolver = async () => ({ local: NOT_REQUESTED });

/**
 * Server mode: the repository is looked up by NAME in the server configuration; the publisher
 * opens the configured path (or the scan worker's cached clone of the configured URL) itself,
 * so a job naming some other folder publishes nothing from it.
 */
export function serverConfigResolver(config: ServerConfig, dataDir: string): Resolver {
  return async (data) => {
    const name = data.repo.name;
    const entry = name ? config.repositories.find((r) => r.name === name) : undefined;
    if (!entry) {
      return {
        local: name
          ? `repository ${name} is not in the server configuration: the branch stays local`
          : 'the run names no repository of the server configuration: the branch stays local',
      };
    }
    if (!entry.publish) return { local: NOT_REQUESTED };
    const repo = entry.path
      ? await Repository.open(entry.path)
      : await ownClone(entry.url ?? '', dataDir, data.baseSha);
    return { target: { repo, settings: entry.publish, protectedBranch: entry.branch } };
  };
}

/**
 * This host's cached clone of `url`: the scan worker's when it runs here, else the publisher's own,
 * cloned or fetched when it lacks the batch's base commit (the publisher may run on another host).
 */
async function ownClone(url: string, dataDir: string, baseSha: string): Promise<Repository> {
  const dir = Repository.clonePath(url, dataDir);
  if (existsSync(dir)) {
    const repo = await Repository.open(dir);
    if (await repo.resolveCommit(baseSha)) return repo;
  }
  return Repository.cloneOrFetch(url, dataDir);
}

/** `selfreview run --publish`: the one repository the CLI was asked to publish, with its options. */
export function runSettingsResolver(settings: RunPublishSettings): Resolver {
  return async (data) => {
    const repo = await Repository.open(settings.repoPath);
    const named = await Repository.open(data.repo.path).catch(() => null);
    if (named?.root !== repo.root) {
      return {
        local: `${data.repo.path} is not the repository selfreview run publishes: the branch stays local`,
      };
    }
    const { repoPath: _repoPath, baseBranch, ...publish } = settings;
    return { target: { repo, settings: publish, protectedBranch: baseBranch } };
  };
}

/**
 * The publisher's settings from its environment: SELFREVIEW_SERVER_CONFIG (a deployment), or
 * SELFREVIEW_RUN_PUBLISH (JSON from `selfreview run`), or neither (nothing is published).
 * Both at once is a mistake the operator has to resolve: a ConfigError.
 */
export async function resolverFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
): Promise<{ resolve: Resolver; mode: 'server' | 'run' | 'none' }> {
  const serverFile = env.SELFREVIEW_SERVER_CONFIG;
  const runSettings = env.SELFREVIEW_RUN_PUBLISH;
  if (serverFile && runSettings) {
    throw new ConfigError('SELFREVIEW_SERVER_CONFIG and SELFREVIEW_RUN_PUBLISH are both set: set one');
  }
  if (serverFile) {
    return { resolve: serverConfigResolver(await loadServerConfig(serverFile), dataDir), mode: 'server' };
  }
  if (runSettings) {
    let json: unknown;
    try {
      json = JSON.parse(runSettings);
    } catch (err) {
      throw new ConfigError(`SELFREVIEW_RUN_PUBLISH: not valid JSON: ${(err as Error).message}`);
    }
    const parsed = RunPublishSettings.safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(
        `SELFREVIEW_RUN_PUBLISH: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      );
    }
    return { resolve: runSettingsResolver(parsed.data), mode: 'run' };
  }
  return { resolve: noPublishing, mode: 'none' };
}
