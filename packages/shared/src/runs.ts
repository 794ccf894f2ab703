/**
 * A run's shared state in Redis: what each stage produced (candidates, decisions, fix results,
 * pull requests, model usage, warnings and errors) and the run's meta. Which jobs are still open
 * and when the run ends is the coordinator's (coordinator/run-lifecycle.ts). All keys of a run
 * expire together.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { QueueName } from './queues.ts';
import type { ReportInput, StageTimes } from './report.ts';
import { RUN_TTL_S, runKey } from './run-keys.ts';
import type { Candidate, Decision, FixResult, PullRequestRecord } from './schemas.ts';
import {
  Candidate as CandidateSchema,
  Decision as DecisionSchema,
  FixItem,
  FixResult as FixResultSchema,
  PullRequestRecord as PullRequestRecordSchema,
} from './schemas.ts';

export { RUN_TTL_S };

/** `20261121-143000-a1b2c3`: sortable by time, unique enough for one installation. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** When a run started, read back from its id (for a run whose recorded start was lost); '' if it has none. */
export function startedAtFromRunId(runId: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/.exec(runId);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : '';
}

export type RunMeta = {
  runId: string;
  repoPath: string;
  baseBranch: string;
  baseSha: string;
  startedAt: string;
};

/**
 * Stage times from concurrent jobs: the earliest start and the latest end, each
 * kept in one atomic step (a read-then-write from two jobs would lose one).
 */
const HSET_MIN_MAX = `
local s = redis.call('HGET', KEYS[1], ARGV[1])
if not s or tonumber(ARGV[2]) < tonumber(s) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
local e = redis.call('HGET', KEYS[1], ARGV[3])
if not e or tonumber(ARGV[4]) > tonumber(e) then redis.call('HSET', KEYS[1], ARGV[3], ARGV[4]) end
return 1
`;

export type ModelUsageTotals = {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  estimatedCostUsd: number;
};

export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(runId: string, part: string): string {
    return runKey(this.prefix, runId, part);
  }

  private async touch(runId: string, parts: string[]): Promise<void> {
    const multi = this.redis.multi();
    for (const p of parts) multi.expire(this.key(runId, p), RUN_TTL_S);
    await multi.exec();
  }

  async create(meta: RunMeta): Promise<void> {
    await this.redis.hset(this.key(meta.runId, 'meta'), meta);
    await this.touch(meta.runId, ['meta']);
    // The index of runs, newest first, for the dashboard's API; trimmed with the runs' own expiry.
    const index = `${this.prefix}:runs`;
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(index, now, meta.runId)
      .zremrangebyscore(index, 0, now - RUN_TTL_S * 1000)
      // Renewed by every run: it outlives the newest run's keys, never longer.
      .expire(index, RUN_TTL_S)
      .exec();
  }

  /**
   * Records a run whose state Redis lost (a restart without persistence, evicted keys): its
   * meta again, so the API and reports list it, finished, with the reason and the branches it
   * had made as errors of the run. Idempotent: every worker that notices may call it.
   */
  async markLost(meta: RunMeta, reason: string, branches: readonly string[]): Promise<void> {
    const existing = await this.meta(meta.runId);
    if (!existing?.repoPath) await this.create(meta);
    if (!existing?.lost) {
      await this.setMeta(meta.runId, {
        lost: reason,
        finishedAt: existing?.finishedAt ?? new Date().toISOString(),
      });
    }
    await this.addErrors(meta.runId, [
      `the run's state was lost: ${reason}; the work still queued for it is gone`,
      ...branches.map((b) => `branch ${b} was made by this run before its state was lost`),
    ]);
  }

  /** Run ids, newest first. */
  async recentRuns(limit = 50): Promise<string[]> {
    return this.redis.zrevrange(`${this.prefix}:runs`, 0, Math.max(0, limit - 1));
  }

  /** Everything a report is built from, in one place (the CLI and the API both build reports). */
  async reportInput(
    runId: string,
  ): Promise<(ReportInput & Required<Pick<ReportInput, 'model' | 'pullRequests'>>) | null> {
    const meta = await this.meta(runId);
    if (!meta) return null;
    const [candidates, decisions, fixes, pullRequests, model, stageTimes, warnings, errors] =
      await Promise.all([
        this.candidates(runId),
        this.decisions(runId),
        this.fixResults(runId),
        this.pullRequests(runId),
        this.modelUsage(runId),
        this.stageTimes(runId),
        this.warnings(runId),
        this.errors(runId),
      ]);
    return {
      runId,
      repo: { path: meta.repoPath, baseBranch: meta.baseBranch, baseSha: meta.baseSha },
      startedAt: meta.startedAt,
      // Recorded by whoever closed the run's last job (coordinator/finish.ts); empty while it runs.
      finishedAt: meta.finishedAt ?? '',
      files: Number(meta.files ?? 0),
      candidates,
      decisions,
      fixes,
      pullRequests,
      // Whether a model was configured is the caller's knowledge; calls are the evidence here.
      model: { enabled: model.calls > 0, ...model },
      stageTimes,
      warnings,
      errors,
    };
  }

  async meta(runId: string): Promise<(RunMeta & Record<string, string>) | null> {
    const m = await this.redis.hgetall(this.key(runId, 'meta'));
    return Object.keys(m).length === 0 ? null : (m as RunMeta & Record<string, string>);
  }

  async setMeta(runId: string, fields: Record<string, string | number>): Promise<void> {
    await this.redis.hset(this.key(runId, 'meta'), fields);
  }

  /** Follow-up batches join the run's batch count, so progress shows them. */
  async addFixBatches(runId: string, n: number): Promise<void> {
    await this.redis.hincrby(this.key(runId, 'meta'), 'fixBatches', n);
  }

  async markStage(runId: string, stage: QueueName, startMs: number, endMs: number): Promise<void> {
    const k = this.key(runId, 'stages');
    await this.redis.eval(
      HSET_MIN_MAX,
      1,
      k,
      `${stage}:start`,
      String(startMs),
      `${stage}:end`,
      String(endMs),
    );
    await this.touch(runId, ['stages']);
  }

  async stageTimes(runId: string): Promise<StageTimes> {
    const h = await this.redis.hgetall(this.key(runId, 'stages'));
    const out: StageTimes = {};
    for (const stage of ['scan', 'apply', 'fix'] as const) {
      const s = h[`${stage}:start`];
      const e = h[`${stage}:end`];
      if (s && e) out[stage] = { startMs: Number(s), endMs: Number(e) };
    }
    return out;
  }

  /** Idempotent: a retried scan job overwrites, never appends twice. */
  async putCandidates(runId: string, candidates: readonly Candidate[], filesScanned: number): Promise<void> {
    const k = this.key(runId, 'candidates');
    const multi = this.redis.multi().del(k);
    if (candidates.length > 0)
      multi.hset(k, Object.fromEntries(candidates.map((c) => [c.id, JSON.stringify(c)])));
    multi.hset(this.key(runId, 'meta'), { files: filesScanned, candidates: candidates.length });
    await multi.exec();
    await this.touch(runId, ['candidates']);
  }

  async candidates(runId: string): Promise<Candidate[]> {
    const h = await this.redis.hgetall(this.key(runId, 'candidates'));
    return Object.values(h).map((v) => CandidateSchema.parse(JSON.parse(v)));
  }

  async putDecisions(runId: string, decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    await this.redis.hset(
      this.key(runId, 'decisions'),
      Object.fromEntries(decisions.map((d) => [d.candidateId, JSON.stringify(d)])),
    );
    await this.touch(runId, ['decisions']);
  }

  async decisions(runId: string): Promise<Decision[]> {
    const h = await this.redis.hgetall(this.key(runId, 'decisions'));
    return Object.values(h).map((v) => DecisionSchema.parse(JSON.parse(v)));
  }

  /** apply's survivors, keyed by file, waiting for the hand-over to fix. */
  async putFixable(runId: string, file: string, items: readonly FixItem[]): Promise<void> {
    const k = this.key(runId, 'fixable');
    if (items.length === 0) await this.redis.hdel(k, file);
    else await this.redis.hset(k, file, JSON.stringify(items));
    await this.touch(runId, ['fixable']);
  }

  /**
   * What one apply job decided, in one MULTI: the decisions (by candidate id, so a job run
   * again overwrites its own), each of its files' fixable items (by file; a file with none is
   * removed) and the apply stage's time span (as markStage keeps it).
   */
  async putApplyResults(
    runId: string,
    results: {
      decisions: readonly Decision[];
      fixable: ReadonlyMap<string, readonly FixItem[]>;
      startMs: number;
      endMs: number;
    },
  ): Promise<void> {
    const decisions = this.key(runId, 'decisions');
    const fixable = this.key(runId, 'fixable');
    const stages = this.key(runId, 'stages');
    const multi = this.redis.multi();
    if (results.decisions.length > 0) {
      multi.hset(
        decisions,
        Object.fromEntries(results.decisions.map((d) => [d.candidateId, JSON.stringify(d)])),
      );
      multi.expire(decisions, RUN_TTL_S);
    }
    const kept = [...results.fixable].filter(([, items]) => items.length > 0);
    const none = [...results.fixable].filter(([, items]) => items.length === 0).map(([file]) => file);
    if (kept.length > 0)
      multi.hset(fixable, Object.fromEntries(kept.map(([file, items]) => [file, JSON.stringify(items)])));
    if (none.length > 0) multi.hdel(fixable, ...none);
    if (results.fixable.size > 0) multi.expire(fixable, RUN_TTL_S);
    multi.eval(
      HSET_MIN_MAX,
      1,
      stages,
      'apply:start',
      String(results.startMs),
      'apply:end',
      String(results.endMs),
    );
    multi.expire(stages, RUN_TTL_S);
    const replies = (await multi.exec()) ?? [];
    const failed = replies.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async fixable(runId: string): Promise<Map<string, FixItem[]>> {
    const h = await this.redis.hgetall(this.key(runId, 'fixable'));
    return new Map(Object.entries(h).map(([file, v]) => [file, FixItem.array().parse(JSON.parse(v))]));
  }

  async putFixResults(runId: string, results: readonly FixResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.redis.hset(
      this.key(runId, 'fixes'),
      Object.fromEntries(results.map((r) => [`${r.batchId}:${r.file}`, JSON.stringify(r)])),
    );
    await this.touch(runId, ['fixes']);
  }

  async fixResults(runId: string): Promise<FixResult[]> {
    const h = await this.redis.hgetall(this.key(runId, 'fixes'));
    return Object.values(h).map((v) => FixResultSchema.parse(JSON.parse(v)));
  }

  /** Adds one answered model call's usage to the run's totals (cost in micro-dollars, to stay integral). */
  async addModelUsage(
    runId: string,
    usage: { calls: number; inputTokens: number; outputTokens: number; costUsd: number },
  ): Promise<void> {
    const k = this.key(runId, 'model');
    await this.redis
      .multi()
      .hincrby(k, 'calls', usage.calls)
      .hincrby(k, 'inputTokens', usage.inputTokens)
      .hincrby(k, 'outputTokens', usage.outputTokens)
      .hincrby(k, 'costMicroUsd', Math.round(usage.costUsd * 1_000_000))
      .expire(k, RUN_TTL_S)
      .exec();
  }

  async modelUsage(runId: string): Promise<ModelUsageTotals> {
    const h = await this.redis.hgetall(this.key(runId, 'model'));
    return {
      calls: Number(h.calls ?? 0),
      inputTokens: Number(h.inputTokens ?? 0),
      outputTokens: Number(h.outputTokens ?? 0),
      estimatedCostUsd: Number(h.costMicroUsd ?? 0) / 1_000_000,
    };
  }

  /** One record per batch: a re-run of the batch overwrites its own. */
  async putPullRequest(runId: string, record: PullRequestRecord): Promise<void> {
    await this.redis.hset(this.key(runId, 'pulls'), record.batchId, JSON.stringify(record));
    await this.touch(runId, ['pulls']);
  }

  async pullRequests(runId: string): Promise<PullRequestRecord[]> {
    const h = await this.redis.hgetall(this.key(runId, 'pulls'));
    return Object.values(h).map((v) => PullRequestRecordSchema.parse(JSON.parse(v)));
  }

  async addWarnings(runId: string, warnings: readonly string[]): Promise<void> {
    if (warnings.length === 0) return;
    // A set, so a retried job does not repeat its warnings.
    await this.redis.sadd(this.key(runId, 'warnings'), ...warnings);
    await this.touch(runId, ['warnings']);
  }

  async warnings(runId: string): Promise<string[]> {
    return (await this.redis.smembers(this.key(runId, 'warnings'))).sort();
  }

  /** What the run lost (a stage's work that did not happen), as opposed to what a person should know. */
  async addErrors(runId: string, errors: readonly string[]): Promise<void> {
    if (errors.length === 0) return;
    await this.redis.sadd(this.key(runId, 'errors'), ...errors);
    await this.touch(runId, ['errors']);
  }

  async errors(runId: string): Promise<string[]> {
    return (await this.redis.smembers(this.key(runId, 'errors'))).sort();
  }
}
