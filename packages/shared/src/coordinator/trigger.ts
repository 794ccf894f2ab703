/**
 * Turns a trigger (a push, a schedule, an operator's request) into a run: opens the repository
 * (or fetches its cached clone), resolves the branch's newest commit, works out what changed
 * since the last scanned commit of that branch, and queues the scan. A burst of pushes
 * coalesces upstream into one trigger; whatever it says, the scan covers everything since the
 * last scan, so no pushed change is missed.
 */
import { type Queue, UnrecoverableError } from 'bullmq';
import type { RepoPauses } from '../pauses.ts';
import type { RepoRef, ScanJob, TriggerJob } from '../queues.ts';
import type { Redis } from '../redis.ts';
import type { RunJournal } from '../run-journal.ts';
import { newRunId, type RunStore } from '../runs.ts';
import type { ProcessContext } from '../worker.ts';
import { Repository } from '../workspace.ts';
import { RunLifecycle } from './run-lifecycle.ts';
import { startRun } from './start-run.ts';

export type TriggerDeps = {
  runs: RunStore;
  scanQueue: Queue<ScanJob>;
  redis: Redis;
  prefix: string;
  dataDir: string;
  pauses: RepoPauses;
  /** Where the runs this host starts are kept on disk, so a run Redis loses is reported as lost. */
  journal?: RunJournal;
};

export type TriggerResult =
  | { runId: string; mode: ScanJob['mode']; files: number | null; sha: string }
  | { skipped: 'paused' | 'no_changes' | 'branch_deleted' };

const ZERO_SHA = /^0{40}$/;

/** How long the first unscanned push's `before` is kept when no trigger comes to read it. */
const FIRST_PUSH_TTL_S = 14 * 24 * 60 * 60;

/**
 * Where the gateway keeps the `before` of the first push to a branch since its last trigger
 * (set only when absent). Pushes in a burst coalesce into one trigger that carries the last
 * push's `before` only; for a branch with no scan recorded, this is where the pushes it
 * replaced began, so their changes are scanned too. Every trigger that records a scan of the
 * branch removes it.
 */
export function firstPushKey(prefix: string, name: string, branch: string): string {
  return `${prefix}:first-push:${name}:${branch}`;
}

/** The gateway's half of firstPushKey: records `before` unless an earlier push's is there. */
export async function recordFirstPush(
  redis: Redis,
  prefix: string,
  push: { name: string; branch: string; before: string },
): Promise<void> {
  if (!/^[0-9a-f]{40}$/.test(push.before) || ZERO_SHA.test(push.before)) return;
  await redis.set(firstPushKey(prefix, push.name, push.branch), push.before, 'EX', FIRST_PUSH_TTL_S, 'NX');
}

export function createTriggerProcessor(deps: TriggerDeps) {
  const lifecycle = new RunLifecycle(deps.redis, deps.prefix);
  const lastScannedKey = (name: string, branch: string) => `${deps.prefix}:last-scanned:${name}:${branch}`;
  const recordScanned = async (name: string, branch: string, sha: string): Promise<void> => {
    await deps.redis.set(lastScannedKey(name, branch), sha);
    await deps.redis.del(firstPushKey(deps.prefix, name, branch));
  };

  return async (data: TriggerJob, { log }: ProcessContext): Promise<TriggerResult> => {
    const target = data.repo;
    if (await deps.pauses.isPaused(target.name)) {
      log.info({ repo: target.name }, 'repository paused: trigger skipped');
      return { skipped: 'paused' };
    }
    if (data.after && ZERO_SHA.test(data.after)) return { skipped: 'branch_deleted' };
    let repo: Repository;
    try {
      repo = target.url
        ? await Repository.cloneOrFetch(target.url, deps.dataDir)
        : await Repository.open(target.path ?? '');
    } catch (err) {
      // A missing folder will not appear on retry; an unreachable remote may.
      if (!target.url) throw new UnrecoverableError((err as Error).message);
      throw err;
    }
    const sha = await repo.branchTip(target.branch);
    if (!sha) throw new UnrecoverableError(`${target.name}: no branch ${target.branch}`);

    let mode: ScanJob['mode'] = 'full';
    let files: string[] | undefined;
    if (data.kind === 'push') {
      const stored = await deps.redis.get(lastScannedKey(target.name, target.branch));
      const first = stored
        ? null
        : await deps.redis.get(firstPushKey(deps.prefix, target.name, target.branch));
      const since = stored ?? first ?? (data.before && !ZERO_SHA.test(data.before) ? data.before : null);
      if (since === sha) return { skipped: 'no_changes' };
      if (since && (await repo.resolveCommit(since)) && (await repo.isAncestor(since, sha))) {
        mode = 'push';
        files = (await repo.diffNameStatus(since, sha)).filter((d) => d.status !== 'D').map((d) => d.path);
        if (files.length === 0) {
          await recordScanned(target.name, target.branch, sha);
          return { skipped: 'no_changes' };
        }
      }
      // No earlier scan to diff against, or history was rewritten: scan it all.
    }

    const runId = newRunId();
    const repoRef: RepoRef = { path: repo.root, name: target.name };
    await startRun(
      { runs: deps.runs, lifecycle, scanQueue: deps.scanQueue, journal: deps.journal },
      {
        meta: {
          runId,
          repoPath: repo.root,
          baseBranch: target.branch,
          baseSha: sha,
          startedAt: new Date().toISOString(),
        },
        details: {
          repoName: target.name,
          trigger: data.kind,
          source: data.source ?? '',
          ...(data.notifyEnv ? { notifyEnv: data.notifyEnv } : {}),
        },
        scan: { repo: repoRef, baseBranch: target.branch, baseSha: sha, mode, ...(files ? { files } : {}) },
      },
    );
    await recordScanned(target.name, target.branch, sha);
    log.info({ runId, mode, files: files?.length ?? null, sha }, 'run started');
    return { runId, mode, files: files?.length ?? null, sha };
  };
}
