/**
 * The fix job: one batch (at most `maxFiles` files, at most `maxMinutes`) in its
 * own worktree at the base commit, on its own branch. Codemods change the
 * files; the repository's typecheck and tests verify; hard gates decide; only
 * what passed is committed. A fix_result per file records the outcome and the
 * rollback ref. The user's working tree and branches are never touched.
 */

import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { planBatches } from '@selfreview/shared/batches';
import {
  applyOperatorCaps,
  DEFAULT_OPERATOR_CAPS,
  type OperatorCaps,
  type RepoConfig,
} from '@selfreview/shared/config';
import type { RepoLock } from '@selfreview/shared/locks';
import type { Logger } from '@selfreview/shared/logger';
import type { FindingMemory } from '@selfreview/shared/memory';
import type { ModelClient } from '@selfreview/shared/model/client';
import type { RepoPauses } from '@selfreview/shared/pauses';
import {
  currentProcess,
  ownerLiveness,
  type ProcessIdentity,
  parseIdentity,
} from '@selfreview/shared/process-identity';
import { type FixJob, type PublishJob, publishJobId } from '@selfreview/shared/queues';
import { LOST_RUN_REASON } from '@selfreview/shared/run-journal';
import { type RunStore, startedAtFromRunId } from '@selfreview/shared/runs';
import {
  type ChangeType,
  type CheckOutcome,
  type FixItem,
  type FixResult,
  MODEL_CHANGE_TYPES,
} from '@selfreview/shared/schemas';
import { openJobRepository, type ProcessContext } from '@selfreview/shared/worker';
import type { Repository, Worktree } from '@selfreview/shared/workspace';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { branchName, commitMessage, describeChanges, hasBatchTrailer } from './branch.ts';
import { getCodemod } from './codemods/index.ts';
import { followUpItems, UNUSED_CODES } from './follow-up.ts';
import { checkGates, findAddedCapabilities, type GateViolation, isTestFile } from './gates.ts';
import { fixWithModel } from './model-fixer/run.ts';
import { findAddedSecrets } from './secrets.ts';
import {
  claimWorktree,
  markWorktreeRoot,
  pruneDeadWorktrees,
  releaseWorktree,
  worktreeInUse,
} from './stale-worktrees.ts';
import type { Diagnostic } from './typecheck-output.ts';
import { type TestVerdict, Verifier } from './verification.ts';
import { prepareWorktree } from './worktree-setup.ts';

export type FixDeps = {
  runs: RunStore;
  dataDir: string;
  /** Where outcomes are remembered across runs (apply reads it); absent in some tests. */
  memory?: FindingMemory;
  /** One batch per repository at a time; absent in tests that drive the processor by hand. */
  locks?: RepoLock;
  /** A paused repository's batches wait (delayed) until it is resumed. */
  pauses?: RepoPauses;
  /** Ends the run when its last job closes (summary, finishedAt). */
  finishRun?: (runId: string) => Promise<unknown>;
  /** Enqueues a follow-up batch with the items this one carried over; absent: they are only reported. */
  requeue?: (job: FixJob) => Promise<void>;
  /**
   * Hands a committed batch to the publisher (its job is opened in the run first). The fix
   * worker holds no forge token and no publish settings: pushing and proposing happen in the
   * publisher process. Absent: the branch stays local and no pull request record is written.
   */
  publish?: (job: PublishJob) => Promise<void>;
  /**
   * Whether a run missing from Redis is taken for a run whose state Redis lost (the worker's
   * setting); off in tests that drive the processor without creating the run.
   */
  recordLostRuns?: boolean;
  /** The model fixer; absent when no API key is configured (its items then wait as needs_llm). */
  model?: ModelDeps;
  /** The operator's ceilings on budgets and time limits (loadConfig); the defaults when absent. */
  caps?: OperatorCaps;
};

export type ModelDeps = {
  client: ModelClient;
  /** Values from the environment that must never reach a prompt. */
  secrets: readonly string[];
};

const OPERATOR_CAP_DEFAULTS: OperatorCaps = {
  modelBudgetCaps: { ...DEFAULT_OPERATOR_CAPS.model },
  timeCaps: { ...DEFAULT_OPERATOR_CAPS.time },
};

/** After this many follow-up batches, carried-over items wait for the next scan instead. */
export const MAX_CARRIES = 3;

/** A repository lock's expiry, and how often its holder renews it. */
const REPO_LOCK_TTL_MS = 20_000;
const REPO_LOCK_RENEW_MS = 5_000;
/** How long a batch waits before trying a busy repository again. */
const BUSY_RETRY_MS = 5_000;
/** How often a paused repository's batch looks again. */
const PAUSED_RETRY_MS = 60_000;

const MAX_DIFF_LINES = 400;
/** Rounds of finishing names a fix left unused, before such a file waits as needs_followup. */
const FOLLOW_UP_ROUNDS = 2;

type FileWork = {
  file: string;
  items: FixItem[];
  status: FixResult['status'] | 'pending';
  reason: string;
  lines: number[];
  summary: string[];
  /** Carried over for want of time or room: a follow-up batch takes it (items with no fixer only wait). */
  continues?: boolean;
  /** Who changes the file: a codemod, or the model (one change type per model work). */
  via: 'codemod' | 'model';
  /** For add_missing_test: the new test file the model wrote. */
  createdFile?: string;
};

/** What a batch ends with, before it is recorded, published and handed on. */
type BatchOutcome = { results: FixResult[]; branch: string | null; carried: FileWork[] };

export function createFixProcessor(deps: FixDeps) {
  return async (data: FixJob, { job, log, token }: ProcessContext): Promise<FixResult[]> => {
    const started = Date.now();
    if (token && (await deps.pauses?.isPaused(data.repo.name))) {
      log.info({ repo: data.repo.name }, 'repository paused; batch delayed');
      await job.moveToDelayed(Date.now() + PAUSED_RETRY_MS, token);
      throw new DelayedError();
    }
    const opened = await openJobRepository(data.repo.path, data.baseSha);
    const { repo } = opened;
    // The repository's own limits, lowered to the operator's ceilings before anything uses them.
    const capped = applyOperatorCaps(opened.config, deps.caps ?? OPERATOR_CAP_DEFAULTS);
    const config = capped.config;
    await deps.runs.addWarnings(data.runId, capped.warnings);
    // One batch per repository: a short lock renewed while the batch runs, so a worker that
    // dies holding it delays the repository by one expiry, not by the batch's time limit.
    const owner = lockOwner(data.batchId, token);
    const held = deps.locks ? await takeRepoLock(deps.locks, repo.root, owner, data.batchId) : true;
    if (!held && deps.locks) {
      if (!token) throw new Error(`repository ${repo.root} is busy with another batch`);
      log.info({ holder: await deps.locks.holder(repo.root) }, 'repository busy; batch delayed');
      await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    const heartbeat = deps.locks ? renewWhileRunning(deps.locks, repo.root, owner, log) : null;
    try {
      const outcome = await runBatch(deps, data, { repo, config, log });
      if (outcome === 'busy') {
        if (!token) throw new Error(`batch ${data.batchId} is still running in another process`);
        log.info('an earlier attempt of this batch still works in its worktree; batch delayed');
        await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
        throw new DelayedError();
      }
      return await conclude(deps, data, outcome, { repo, config, log, started });
    } finally {
      if (heartbeat) clearInterval(heartbeat);
      await deps.locks?.release(repo.root, owner);
    }
  };
}

/** A lock value naming the batch, the job attempt and the process: `<batch>:<token>@<process JSON>`. */
function lockOwner(batchId: string, token: string | undefined): string {
  return `${batchId}:${token ?? 'manual'}@${JSON.stringify(currentProcess())}`;
}

/** The process a lock value names; null for a value without one. */
function lockHolderProcess(holder: string): ProcessIdentity | null {
  const at = holder.indexOf('@');
  if (at < 0) return null;
  try {
    return parseIdentity(JSON.parse(holder.slice(at + 1)));
  } catch {
    return null;
  }
}

/**
 * Takes the repository's lock, or takes it over when its holder is known to be gone: an
 * earlier attempt of the same batch (BullMQ hands a job on only when its worker stopped
 * renewing the job's lock), or a process of this host that no longer runs. Waiting for such a
 * lock to expire would only delay the repository.
 */
async function takeRepoLock(
  locks: RepoLock,
  repoRoot: string,
  owner: string,
  batchId: string,
): Promise<boolean> {
  if (await locks.acquire(repoRoot, owner, REPO_LOCK_TTL_MS)) return true;
  const holder = await locks.holder(repoRoot);
  if (holder === null) return locks.acquire(repoRoot, owner, REPO_LOCK_TTL_MS);
  const holderProcess = lockHolderProcess(holder);
  const gone =
    holder.startsWith(`${batchId}:`) || (holderProcess !== null && ownerLiveness(holderProcess) === 'dead');
  return gone && holder !== owner ? locks.takeOver(repoRoot, holder, owner, REPO_LOCK_TTL_MS) : false;
}

function renewWhileRunning(locks: RepoLock, repoRoot: string, owner: string, log: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    locks
      .renew(repoRoot, owner, REPO_LOCK_TTL_MS)
      .then(async (ok) => {
        // Lost (Redis restarted, or the lock expired while the process was stalled): take it
        // again if it is free, and say so when someone else has it.
        if (!ok && !(await locks.acquire(repoRoot, owner, REPO_LOCK_TTL_MS)))
          log.warn({ holder: await locks.holder(repoRoot) }, 'repository lock lost to another holder');
      })
      .catch((err: Error) => log.warn({ err: err.message }, 'repository lock not renewed'));
  }, REPO_LOCK_RENEW_MS);
  timer.unref();
  return timer;
}

type BatchScope = { repo: Repository; config: RepoConfig; log: Logger };

async function runBatch(
  deps: FixDeps,
  data: FixJob,
  { repo, config, log }: BatchScope,
): Promise<BatchOutcome | 'busy'> {
  // A re-run after the results were recorded (a crash before the job completed) changes nothing;
  // what is left (publishing, the follow-up batch) is done again by `conclude`, idempotently.
  const earlier = (await deps.runs.fixResults(data.runId)).filter((r) => r.batchId === data.batchId);
  if (earlier.length > 0 && earlier.length >= data.files.length) {
    return { results: earlier, branch: earlier.find((r) => r.branch)?.branch ?? null, carried: [] };
  }

  // Who can fix what: a codemod, else the model when one is configured; the rest only wait.
  const fixer = (t: ChangeType): FileWork['via'] | null =>
    getCodemod(t) ? 'codemod' : deps.model && MODEL_CHANGE_TYPES.has(t) ? 'model' : null;
  // Named after what it will commit.
  const changeTypes = data.files.flatMap((f) => f.items.map((i) => i.changeType)).filter((t) => fixer(t));
  const branch = branchName(data.batchId, changeTypes);
  const work: FileWork[] = data.files.flatMap((f, i) => {
    // The producer already caps batches; a hand-made job with more files carries the rest over.
    const within = i < config.fix.maxFiles;
    const byCodemod = f.items.filter((item) => fixer(item.changeType) === 'codemod');
    const byModel = f.items.filter((item) => fixer(item.changeType) === 'model');
    const waiting = f.items.filter((item) => fixer(item.changeType) === null);
    const out: FileWork[] = [];
    const groups: [FileWork['via'], FixItem[]][] = [
      ['codemod', byCodemod],
      // One model call per change type and file: each has its own instructions.
      ...[...new Set(byModel.map((m) => m.changeType))].map((t): [FileWork['via'], FixItem[]] => [
        'model',
        byModel.filter((m) => m.changeType === t),
      ]),
    ];
    for (const [via, items] of groups) {
      if (items.length === 0) continue;
      out.push({
        file: f.file,
        items,
        via,
        status: within ? 'pending' : 'carried_over',
        reason: within ? '' : `batch limit of ${config.fix.maxFiles} files`,
        lines: [],
        summary: [],
        continues: !within,
      });
    }
    // No deterministic fixer for these: they stay queued (carried over), not failed.
    if (waiting.length > 0) {
      out.push({
        file: f.file,
        items: waiting,
        via: 'codemod',
        status: 'carried_over',
        reason: waitingReason(waiting),
        lines: [],
        summary: [],
      });
    }
    return out;
  });
  if (!work.some((w) => w.status === 'pending')) {
    return { results: [], branch: null, carried: work };
  }

  const repoKey = createHash('sha256').update(repo.root).digest('hex').slice(0, 12);
  const worktreeRoot = path.join(deps.dataDir, 'worktrees', repoKey);
  const dir = path.join(worktreeRoot, data.batchId);
  // Another process still works on this very batch (it lost its job, not its life): let it end.
  if (await worktreeInUse(dir)) return 'busy';
  // What dead attempts left (this batch's or others'): their worktrees, and branches without a commit.
  const pruned = await pruneDeadWorktrees(repo, worktreeRoot).catch(() => 0);
  if (pruned > 0) log.info({ pruned }, 'removed worktrees of batches whose workers are gone');

  const existing = await repo.resolveBranch(branch);
  if (existing) {
    const madeBy = await repo.branchNote(branch, 'batch');
    if (existing === data.baseSha && madeBy === data.batchId) {
      // An earlier attempt of this batch made the branch and died before committing: start again.
      log.info({ branch }, 'recreating the branch an earlier attempt left without a commit');
      await repo.deleteBranch(branch);
    } else {
      return {
        results: await reuseBranch(
          repo,
          data,
          branch,
          existing,
          madeBy,
          work.filter((w) => w.status === 'pending'),
        ),
        branch,
        carried: work.filter((w) => w.status === 'carried_over'),
      };
    }
  }

  const deadlineAt = Date.now() + config.fix.maxMinutes * 60_000;
  const deadline = AbortSignal.timeout(config.fix.maxMinutes * 60_000);
  await markWorktreeRoot(worktreeRoot, repo.root);
  // The marker first, so no one takes the worktree for a dead batch's while it is being made;
  // the branch's notes before the branch, so a crash at any point leaves a branch this batch
  // recognises as its own when it is retried.
  await claimWorktree(dir, data.batchId);
  await repo.setBranchNote(branch, 'batch', data.batchId);
  await repo.setBranchNote(branch, 'base', data.baseSha);
  let worktree: Worktree | null = null;
  let verification: FixResult['verification'] = { typecheck: 'skipped', tests: 'skipped' };
  let commit: string | null = null;
  const notes: string[] = [];
  try {
    worktree = await repo.addWorktree(dir, data.baseSha, branch);
    const wt = worktree;
    const prepared = await prepareWorktree(repo, wt, config.fix.setup, deadline);
    notes.push(...prepared.notes);
    if (prepared.notes.length > 0) log.warn({ notes: prepared.notes }, 'worktree differs from the checkout');
    const verifier = new Verifier(wt, config.fix, path.join(deps.dataDir, 'verify-cache', repoKey), deadline);
    const batchFiles = work.filter((w) => w.status === 'pending').map((w) => w.file);
    // The base's diagnostics first, before anything in the worktree changes (cached per commit).
    await verifier.baseline(batchFiles);
    if (verifier.baseErrors.length > 0) {
      notes.push(`typecheck cannot run at the base commit: ${verifier.baseErrors.join('; ')}`);
    }

    // The model's changes first, each verified on its own (with one repair round), so a failed
    // one fails only its item; then the codemods; then the whole batch is verified together.
    const modelWork = work.filter((w) => w.status === 'pending' && w.via === 'model');
    if (modelWork.length > 0 && deps.model) {
      const existingFiles = new Set(await repo.listFiles(data.baseSha));
      for (const w of modelWork) {
        if (deadline.aborted) break;
        await applyModelFix(deps.model, w, {
          repo,
          wt,
          data,
          config,
          existingFiles,
          createdSoFar: modelWork.flatMap((m) => (m.createdFile ? [m.createdFile] : [])),
          linked: prepared.linked,
          deadlineAt,
          verify: async () => {
            const files = [
              ...batchFiles,
              ...modelWork.flatMap((m) => (m.createdFile ? [m.createdFile] : [])),
            ];
            const tc = await verifier.typecheck(files);
            if (tc.error) return `typecheck: ${tc.error}`;
            if (tc.regressions.length > 0) {
              return `typecheck: new diagnostics: ${tc.regressions.flatMap((d) => d.sample.map((x) => `${d.file || '(global)'}: ${x}`)).join('; ')}`;
            }
            const tests = await verifier.tests(files);
            return tests.outcome === 'fail' ? tests.detail : null;
          },
        });
      }
    }
    for (const w of work) {
      if (w.status !== 'pending' || w.via !== 'codemod') continue;
      if (deadline.aborted) break;
      await applyCodemods(wt, w);
    }
    const changed = work.filter((w) => w.status === 'pending');
    if (changed.length === 0) throw new NothingToCommit();

    const typecheck = await typecheckBatch(verifier, wt, changed, batchFiles);
    if (typecheck.error) throw new VerificationError('typecheck', typecheck.error);
    const kept = changed.filter((w) => w.status === 'pending');
    if (kept.length === 0) throw new NothingToCommit();
    const typecheckOutcome = verifier.typecheckOutcome(batchFiles);
    verification = { typecheck: typecheckOutcome, tests: 'skipped' };

    const created = kept.flatMap((w) => (w.createdFile ? [w.createdFile] : []));
    const tests = await verifier.tests([...kept.map((w) => w.file), ...created]);
    verification = { typecheck: typecheckOutcome, tests: tests.outcome };
    if (tests.outcome === 'fail') throw new VerificationError('tests', tests.detail);
    if (tests.outcome === 'unavailable') notes.push(tests.detail);
    if (typecheckOutcome === 'unavailable' && tests.outcome !== 'pass') {
      // Nothing judged the change at all: committing it would be a guess.
      throw new VerificationError('typecheck', `nothing could verify the change: ${notes.join('; ')}`);
    }

    const violations = await worktreeGates(
      repo,
      wt,
      data,
      config,
      [...kept.map((w) => w.file), ...created],
      prepared.linked,
    );
    if (violations.length > 0) {
      throw new VerificationError('gate', violations.map((v) => `gate ${v.gate}: ${v.detail}`).join('; '));
    }

    commit = await wt.commit(
      [...new Set([...kept.map((w) => w.file), ...created])],
      commitMessage({
        batchId: data.batchId,
        runId: data.runId,
        baseSha: data.baseSha,
        files: kept.map((w) => ({ file: w.file, summary: w.summary, lines: w.lines })),
        changeTypes: kept.flatMap((w) => w.items.map((i) => i.changeType)),
        typecheck:
          typecheckOutcome === 'pass'
            ? 'pass (no new diagnostics against the base commit)'
            : 'unavailable (it cannot run at the base commit)',
        tests: testsLine(tests),
      }),
    );
    for (const w of kept) {
      w.status = 'committed';
      w.reason = [
        ...w.summary,
        ...(tests.outcome === 'unavailable' ? [`tests not run: ${tests.detail}`] : []),
      ].join('; ');
    }
    log.info({ branch, commit, files: kept.length, tests: tests.outcome }, 'batch committed');
  } catch (err) {
    if (deadline.aborted) {
      for (const w of work)
        if (w.status === 'pending') carryOver(w, `batch time limit of ${config.fix.maxMinutes} min`);
    } else if (err instanceof VerificationError) {
      if (err.stage === 'typecheck') verification = { typecheck: 'fail', tests: 'skipped' };
      for (const w of work) if (w.status === 'pending') fail(w, err.message);
    } else if (!(err instanceof NothingToCommit)) {
      throw err;
    }
  } finally {
    if (worktree) await repo.removeWorktree(worktree.dir);
    await releaseWorktree(dir);
    // A branch that got no commit is only noise for the reviewer.
    if (!commit && (await repo.resolveBranch(branch)) === data.baseSha) await repo.deleteBranch(branch);
  }
  // Worktree paths left out, so that what holds for every batch (a submodule that isn't
  // checked out, tests that fail at the base) is one warning of the run, not one per batch.
  if (notes.length > 0)
    await deps.runs.addWarnings(data.runId, [...new Set(notes.map((n) => n.split(dir).join('.')))]);

  const carried = work.filter((w) => w.status === 'carried_over');
  const results = work
    .filter((w) => w.status !== 'carried_over')
    .map((w) =>
      toResult(data, w, {
        lines_affected: w.lines,
        branch: w.status === 'committed' ? branch : null,
        commit: w.status === 'committed' ? commit : null,
        status: w.status === 'pending' ? 'failed' : w.status,
        verification: w.status === 'committed' ? verification : outcomeFor(w, verification),
        reason: w.reason,
      }),
    );
  return { results, branch: commit ? branch : null, carried };
}

/**
 * Records the batch's results, hands carried-over items to a follow-up batch, hands the
 * committed branch to the publisher, and closes the job. Every step is idempotent, so a re-run
 * after a crash finishes what the crashed attempt did not, without a second branch, publish
 * job or follow-up batch.
 */
async function conclude(
  deps: FixDeps,
  data: FixJob,
  outcome: BatchOutcome,
  { config, log, started }: BatchScope & { started: number },
): Promise<FixResult[]> {
  // A run whose state Redis lost (restarted without persistence) gets no follow-ups: it is
  // recorded as lost, with this batch's branch, so the branch is never one no report mentions.
  const lost = await runWasLost(deps, data, outcome.branch, log);
  const followUps = lost
    ? new Map<FileWork, string>()
    : await handOn(deps, data, outcome.carried, config.fix.maxFiles);
  const results = [
    ...outcome.results,
    ...outcome.carried.map((w) =>
      toResult(data, w, {
        lines_affected: [],
        branch: null,
        commit: null,
        status: 'carried_over',
        verification: { typecheck: 'skipped', tests: 'skipped' },
        reason: followUps.get(w) ?? w.reason,
      }),
    ),
  ];
  await deps.runs.putFixResults(data.runId, results);
  await remember(deps, data, results);

  const committed = results.filter((r) => r.status === 'committed');
  const commit = committed[0]?.commit;
  if (outcome.branch && commit && deps.publish) {
    // A record means the publisher already has (or had) this batch; its own retries take it from there.
    const prior = (await deps.runs.pullRequests(data.runId)).find((p) => p.batchId === data.batchId);
    if (!prior) {
      const ids = new Set(committed.flatMap((r) => r.candidateIds));
      // Opened before it is queued and before this job closes, so the run never looks drained between.
      await deps.runs.openJobs(data.runId, 'publish', [publishJobId(data.batchId)]);
      await deps.publish({
        runId: data.runId,
        repo: data.repo,
        baseBranch: data.baseBranch,
        baseSha: data.baseSha,
        batchId: data.batchId,
        branch: outcome.branch,
        commit,
        items: data.files.flatMap((f) => f.items).filter((i) => ids.has(i.candidate.id)),
      });
      log.info({ branch: outcome.branch, commit }, 'batch handed to the publisher');
    }
  }

  await finish(deps, data, started);
  const failed = results.filter((r) => r.status === 'failed');
  if (results.length > 0 && failed.length === results.length) {
    // Visible as a failed job, for an operator to read and re-queue; retrying as is would fail the same way.
    throw new UnrecoverableError(failed.map((r) => `${r.file}: ${r.reason}`).join('; '));
  }
  return results;
}

async function runWasLost(deps: FixDeps, data: FixJob, branch: string | null, log: Logger): Promise<boolean> {
  if (!deps.recordLostRuns) return false;
  // Missing, or already found lost by another worker (whose list of branches lacks this one's).
  const meta = await deps.runs.meta(data.runId);
  if (meta?.repoPath && !meta.lost) return false;
  log.error({ runId: data.runId, branch }, "the run's state is gone from Redis; recording the run as lost");
  await deps.runs.markLost(
    {
      runId: data.runId,
      repoPath: data.repo.path,
      baseBranch: data.baseBranch,
      baseSha: data.baseSha,
      startedAt: startedAtFromRunId(data.runId),
    },
    LOST_RUN_REASON,
    branch ? [branch] : [],
  );
  return true;
}

/**
 * Items carried over for want of time or room go to follow-up batches (opened in the run before
 * they are queued, so the run does not drain early). Returns each such item's reason, naming
 * where it went; after MAX_CARRIES follow-ups the items wait for the next scan instead.
 */
async function handOn(
  deps: FixDeps,
  data: FixJob,
  carried: readonly FileWork[],
  maxFiles: number,
): Promise<Map<FileWork, string>> {
  const reasons = new Map<FileWork, string>();
  const continuing = carried.filter((w) => w.continues);
  if (continuing.length === 0 || !deps.requeue) return reasons;
  const carry = (data.carry ?? 0) + 1;
  if (carry > MAX_CARRIES) {
    for (const w of continuing)
      reasons.set(w, `${w.reason}; carried over ${MAX_CARRIES} times, left for the next scan`);
    return reasons;
  }
  const byFile = new Map<string, FixItem[]>();
  for (const w of continuing) byFile.set(w.file, [...(byFile.get(w.file) ?? []), ...w.items]);
  const jobs = planBatches(byFile, maxFiles).map(
    (b): FixJob => ({
      ...data,
      batchId: followUpBatchId(data.batchId, carry, b.index + 1),
      carry,
      files: b.files,
    }),
  );
  await deps.runs.openJobs(
    data.runId,
    'fix',
    jobs.map((j) => j.batchId),
  );
  await deps.runs.addFixBatches(data.runId, jobs.length);
  for (const job of jobs) await deps.requeue(job);
  for (const w of continuing) {
    const job = jobs.find((j) => j.files.some((f) => f.file === w.file));
    reasons.set(w, `${w.reason}; continues in batch ${job?.batchId}`);
  }
  return reasons;
}

/** `<run>-b-3` carried once is `<run>-b-3-c1-1`; carried again `<run>-b-3-c2-1`, within the 80-character id limit. */
export function followUpBatchId(batchId: string, carry: number, index: number): string {
  const root = batchId.replace(/-c\d+-\d+$/, '');
  const suffix = `-c${carry}-${index}`;
  return `${root.slice(0, 80 - suffix.length)}${suffix}`;
}

/** The facts the gates judge (each changed file at the base commit and now), and their verdict. */
async function worktreeGates(
  repo: Repository,
  wt: Worktree,
  data: FixJob,
  config: RepoConfig,
  allowedFiles: readonly string[],
  linked: readonly string[],
): Promise<GateViolation[]> {
  // The dependency links are ours, and a new file nobody asked for (a build info file a
  // verification step wrote) is never staged: the commit adds exactly the allowed files.
  const changedFiles = (await wt.status())
    .filter((e) => !linked.includes(e.file) && (!e.untracked || allowedFiles.includes(e.file)))
    .map((e) => e.file);
  // One `git cat-file` for all of them, not one per file.
  const beforeTexts = await repo.readFiles(data.baseSha, changedFiles);
  const texts = await Promise.all(
    changedFiles.map(async (file) => ({
      file,
      before: beforeTexts.get(file) ?? null,
      after: await readFile(path.join(wt.dir, file), 'utf8').catch(() => null),
    })),
  );
  const addedSecrets = (
    await Promise.all(texts.map((t) => findAddedSecrets(t.file, t.before, t.after)))
  ).flat();
  return checkGates({
    changedFiles,
    allowedFiles,
    diffLines: await wt.diffLines(),
    maxDiffLines: MAX_DIFF_LINES,
    protectedGlobs: config.protectedPaths,
    testFiles: texts.filter((t) => isTestFile(t.file, config.rules['untested-export'].testFiles)),
    addedSecrets,
    addedCapabilities: texts.flatMap((t) => findAddedCapabilities(t.file, t.before, t.after)),
  });
}

/**
 * Typechecks the batch against the base. A changed file with new diagnostics is put back and
 * fails, except when every new diagnostic is a name the fix left unused: the same codemods
 * finish those (up to FOLLOW_UP_ROUNDS rounds), or the file waits as `needs_followup`. A new
 * diagnostic in a file the batch did not change means nothing in it can be trusted.
 */
async function typecheckBatch(
  verifier: Verifier,
  wt: Worktree,
  changed: FileWork[],
  files: readonly string[],
): Promise<{ error: string | null }> {
  for (let round = 0; ; round++) {
    const tc = await verifier.typecheck(files);
    if (tc.error) return { error: tc.error };
    if (tc.regressions.length === 0) return { error: null };
    const elsewhere = tc.regressions.find(
      (r) => !changed.some((w) => w.file === r.file && w.status === 'pending'),
    );
    if (elsewhere) {
      return {
        error: `new diagnostics in ${elsewhere.file || '(global)'}: ${elsewhere.sample.join('; ')}`,
      };
    }
    if (round > FOLLOW_UP_ROUNDS) return { error: `typecheck still worse after ${round} rounds` };
    for (const r of tc.regressions) {
      const w = changed.find((c) => c.file === r.file && c.status === 'pending') as FileWork;
      if (w.via === 'codemod' && r.added.every((d) => UNUSED_CODES.has(d.code))) {
        const finished = round < FOLLOW_UP_ROUNDS && (await finishLeftovers(wt, w, r.added));
        if (finished === true) continue;
        await wt.restoreFile(w.file);
        w.status = 'carried_over';
        w.reason = `needs_followup: the fix leaves ${finished || 'names'} unused, which this batch does not remove; it waits for a person or the next scan`;
        continue;
      }
      await wt.restoreFile(w.file);
      fail(w, `typecheck: ${r.added.length} new diagnostic(s): ${r.sample.join('; ')}`);
    }
  }
}

/** Removes names a fix left unused with the same codemods; true when all went, else what is left. */
async function finishLeftovers(
  wt: Worktree,
  w: FileWork,
  added: readonly Diagnostic[],
): Promise<true | string> {
  const abs = path.join(wt.dir, w.file);
  let text = await readFile(abs, 'utf8');
  const follow = followUpItems(w.file, text, added, Math.min(...w.items.map((i) => i.confidence)));
  if (follow.leftovers.length > 0 || follow.items.length === 0) return follow.leftovers.join(', ') || 'names';
  const lines = new Set(w.lines);
  for (const changeType of new Set(follow.items.map((i) => i.changeType))) {
    const codemod = getCodemod(changeType);
    const items = follow.items.filter((i) => i.changeType === changeType);
    const result = codemod?.apply({ file: w.file, text, items });
    if (!result || result.skipped.length > 0 || result.applied.length !== items.length) {
      return items.map((i) => i.candidate.message.split("'")[1] ?? i.candidate.id).join(', ');
    }
    text = result.text;
    for (const l of result.linesAffected) lines.add(l);
  }
  await writeFile(abs, text);
  w.lines = [...lines].sort((a, b) => a - b);
  w.summary.push(...follow.items.map((i) => i.candidate.message));
  return true;
}

function testsLine(tests: TestVerdict): string {
  switch (tests.outcome) {
    case 'pass':
      return `pass (${tests.detail})`;
    case 'unavailable':
      return `not run: ${tests.detail}`;
    default:
      return 'skipped (no test command)';
  }
}

/**
 * One model work item: the model proposes, the change is written and verified in the
 * worktree (typecheck against the base, tests, and the hard gates), with one repair round.
 * A gate violation is final: it is never sent back to be argued with.
 */
async function applyModelFix(
  model: ModelDeps,
  w: FileWork,
  ctx: {
    repo: Repository;
    wt: Worktree;
    data: FixJob;
    config: RepoConfig;
    existingFiles: ReadonlySet<string>;
    /** Test files earlier model work of this batch created: allowed, like the batch's files. */
    createdSoFar: readonly string[];
    /** Dependency links in the worktree (never part of a change). */
    linked: readonly string[];
    deadlineAt: number;
    verify: () => Promise<string | null>;
  },
): Promise<void> {
  const abs = path.join(ctx.wt.dir, w.file);
  const text = await readFile(abs, 'utf8').catch(() => null);
  if (text === null) {
    fail(w, 'file no longer exists at the base commit');
    return;
  }
  const changeType = w.items[0]?.changeType ?? 'resolve_todo';
  const testFilePath =
    changeType === 'add_missing_test' ? newTestFilePath(w.file, ctx.existingFiles) : undefined;
  const testGlobs = ctx.config.rules['untested-export'].testFiles;
  const example = testFilePath
    ? [...ctx.existingFiles].sort().find((f) => isTestFile(f, testGlobs))
    : undefined;
  const exampleTest = example ? await ctx.repo.readFile(ctx.data.baseSha, example) : null;
  const outcome = await fixWithModel({
    client: model.client,
    scope: {
      repo: ctx.repo.root,
      runId: ctx.data.runId,
      batchId: ctx.data.batchId,
      limits: ctx.config.llm.budgets,
    },
    file: w.file,
    text,
    items: w.items,
    changeType,
    ...(testFilePath ? { testFilePath, exampleTest } : {}),
    existingFiles: ctx.existingFiles,
    secrets: model.secrets,
    maxTokens: ctx.config.llm.maxOutputTokens,
    deadline: ctx.deadlineAt,
    tryChange: async (changes) => {
      for (const c of changes) {
        const target = path.join(ctx.wt.dir, c.file);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, c.text);
      }
      const undo = async () => {
        for (const c of changes) {
          if (c.created) await rm(path.join(ctx.wt.dir, c.file), { force: true });
          else await ctx.wt.restoreFile(c.file);
        }
      };
      // Earlier model work of the batch may have changed the batch's other files: they are allowed here.
      const allowed = [
        ...ctx.data.files.map((f) => f.file),
        ...ctx.createdSoFar,
        ...(testFilePath ? [testFilePath] : []),
      ];
      const violations = await worktreeGates(ctx.repo, ctx.wt, ctx.data, ctx.config, allowed, ctx.linked);
      if (violations.length > 0) {
        await undo();
        return { failure: violations.map((v) => `gate ${v.gate}: ${v.detail}`).join('; '), final: true };
      }
      const failure = await ctx.verify();
      if (failure === null) return null;
      await undo();
      return { failure, final: false };
    },
  });
  if (outcome.status === 'applied') {
    const after = outcome.changes.find((c) => c.file === w.file);
    w.lines = after ? changedLines(text, after.text) : [1];
    w.summary = [`${describeChanges([changeType])}: ${outcome.summary}`];
    w.createdFile = outcome.changes.find((c) => c.created)?.file;
    return;
  }
  if (outcome.status === 'failed') {
    fail(w, outcome.reason);
    return;
  }
  w.status = 'carried_over';
  w.reason = outcome.reason;
  w.continues = outcome.retryLater;
}

/** Where a new test for `file` goes: beside it, `name.test.ts`, unless that exists. */
function newTestFilePath(file: string, existing: ReadonlySet<string>): string {
  const ext = path.posix.extname(file);
  const stem = file.slice(0, file.length - ext.length);
  const candidates = [`${stem}.test${ext}`, `${stem}.selfreview.test${ext}`];
  return candidates.find((c) => !existing.has(c)) ?? `${stem}.selfreview-${Date.now()}.test${ext}`;
}

/** The original file's lines a change touches (the span between the common prefix and suffix). */
export function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  if (endA < start) return [Math.min(start + 1, a.length)];
  return Array.from({ length: endA - start + 1 }, (_, i) => start + i + 1);
}

/** Why items wait: the model's change types say so; the others have no codemod yet. */
function waitingReason(items: readonly FixItem[]): string {
  const types = [...new Set(items.map((i) => i.changeType))];
  const forModel = types.filter((t) => MODEL_CHANGE_TYPES.has(t));
  const others = types.filter((t) => !MODEL_CHANGE_TYPES.has(t));
  const parts: string[] = [];
  if (forModel.length > 0) parts.push(`needs_llm: ${forModel.join(', ')} waits for the model fixer`);
  if (others.length > 0) parts.push(`no codemod yet for ${others.join(', ')}`);
  return parts.join('; ');
}

/** Committed and failed fixes are remembered, so apply does not propose them again right away. */
async function remember(deps: FixDeps, data: FixJob, results: readonly FixResult[]): Promise<void> {
  if (!deps.memory) return;
  for (const r of results) {
    const outcome = r.status === 'committed' ? 'fixed' : r.status === 'failed' ? 'failed' : undefined;
    if (!outcome) continue;
    for (const id of r.candidateIds) await deps.memory.record(data.repo.path, id, outcome);
  }
}

async function applyCodemods(wt: Worktree, w: FileWork): Promise<void> {
  const abs = path.join(wt.dir, w.file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch {
    fail(w, 'file no longer exists at the base commit');
    return;
  }
  const lines = new Set<number>();
  for (const changeType of new Set(w.items.map((i) => i.changeType))) {
    const codemod = getCodemod(changeType);
    const items = w.items.filter((i) => i.changeType === changeType);
    if (!codemod) {
      fail(w, `no codemod for ${changeType}`);
      return;
    }
    const result = codemod.apply({ file: w.file, text, items });
    text = result.text;
    for (const l of result.linesAffected) lines.add(l);
    for (const id of result.applied) {
      const item = items.find((i) => i.candidate.id === id);
      if (item) w.summary.push(item.candidate.message);
    }
    for (const s of result.skipped) w.summary.push(`skipped ${s.candidateId}: ${s.reason}`);
  }
  if (lines.size === 0) {
    fail(w, `nothing to change: ${w.summary.join('; ') || 'no applicable fix'}`);
    return;
  }
  w.lines = [...lines].sort((a, b) => a - b);
  w.summary = w.summary.filter((s) => !s.startsWith('skipped '));
  await writeFile(abs, text);
}

/** A branch from an earlier attempt of this same batch: take its commit instead of making a second one. */
async function reuseBranch(
  repo: Repository,
  data: FixJob,
  branch: string,
  tip: string,
  madeBy: string | null,
  work: FileWork[],
): Promise<FixResult[]> {
  // Recognised by the note written before the branch was made; a branch from before such notes, by its commit.
  if (madeBy !== data.batchId && !hasBatchTrailer(await repo.commitMessage(tip), data.batchId)) {
    throw new UnrecoverableError(`branch ${branch} already exists and was not made by this batch`);
  }
  const touched = new Set(await repo.changedFiles(data.baseSha, tip));
  return work.map((w) => {
    const done = touched.has(w.file);
    return toResult(data, w, {
      lines_affected: [],
      branch: done ? branch : null,
      commit: done ? tip : null,
      status: done ? 'committed' : 'failed',
      verification: { typecheck: done ? 'pass' : 'skipped', tests: 'skipped' },
      reason: done ? 'committed by an earlier attempt of this batch' : "not in the earlier attempt's commit",
    });
  });
}

/** The fields of a fix_result that follow from the batch and its items; the outcome is the caller's. */
function toResult(
  data: FixJob,
  w: FileWork,
  outcome: Pick<FixResult, 'lines_affected' | 'branch' | 'commit' | 'status' | 'verification' | 'reason'>,
): FixResult {
  return {
    batchId: data.batchId,
    file: w.file,
    change_type: w.items[0]?.changeType ?? 'remove_unused_import',
    confidence: Math.min(...w.items.map((i) => i.confidence)),
    rollback_ref: data.baseSha,
    candidateIds: w.items.map((i) => i.candidate.id),
    ...outcome,
  };
}

async function finish(deps: FixDeps, data: FixJob, started: number): Promise<void> {
  await deps.runs.markStage(data.runId, 'fix', started, Date.now());
  await deps.runs.closeFixJob(data.runId, data.batchId);
  await deps.finishRun?.(data.runId);
}

function fail(w: FileWork, reason: string): void {
  w.status = 'failed';
  w.reason = reason;
}

function carryOver(w: FileWork, reason: string): void {
  w.status = 'carried_over';
  w.reason = reason;
  w.continues = true;
}

function outcomeFor(w: FileWork, v: FixResult['verification']): FixResult['verification'] {
  if (w.status === 'carried_over') return { typecheck: 'skipped', tests: 'skipped' };
  const typecheck: CheckOutcome = w.reason.startsWith('typecheck') ? 'fail' : v.typecheck;
  return { typecheck, tests: v.tests };
}

class VerificationError extends Error {
  constructor(
    readonly stage: 'typecheck' | 'tests' | 'gate',
    message: string,
  ) {
    super(message);
    this.name = 'VerificationError';
  }
}

class NothingToCommit extends Error {
  constructor() {
    super('nothing to commit');
    this.name = 'NothingToCommit';
  }
}
