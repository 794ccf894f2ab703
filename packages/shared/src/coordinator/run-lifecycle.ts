/**
 * Which of a run's jobs are still open. Every stage's job is added to its run's open set before
 * it is enqueued and removed when it ends, so "every open set empty, no hand-over under way"
 * means the run has drained. The last scan or apply job to close claims the hand-over to fix in
 * the same atomic step as its close, so exactly one job does it and the run never looks drained
 * in between.
 */
import type { Redis } from 'ioredis';
import type { QueueName } from '../queues.ts';
import { RUN_TTL_S, runKey } from '../run-keys.ts';

export type RunProgress = {
  open: Record<QueueName, number>;
  /** A job has claimed the hand-over to fix and not finished it yet. */
  flushing: boolean;
  files: number;
  candidates: number;
  decisions: number;
  fixResults: number;
};

/**
 * Closes a scan or apply job and, if it was the last open one of both stages, sets the
 * `flushing` marker (the claim of the hand-over) before anyone else can look.
 */
const CLOSE_AND_CLAIM = `
redis.call('SREM', KEYS[1], ARGV[1])
if redis.call('SCARD', KEYS[2]) == 0 and redis.call('SCARD', KEYS[3]) == 0 then
  redis.call('SET', KEYS[4], '1', 'EX', ARGV[2])
  return 1
end
return 0
`;

export class RunLifecycle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(runId: string, part: string): string {
    return runKey(this.prefix, runId, part);
  }

  /** Call before enqueueing: a job is open from before it exists until it ends. */
  async openJobs(runId: string, stage: QueueName, jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    const open = this.key(runId, `open:${stage}`);
    await this.redis.sadd(open, ...jobIds);
    await this.redis.expire(open, RUN_TTL_S);
  }

  /** Closes a fix or publish job (scan and apply close through closeAndClaimHandOver). */
  async closeJob(runId: string, stage: 'fix' | 'publish', jobId: string): Promise<void> {
    await this.redis.srem(this.key(runId, `open:${stage}`), jobId);
  }

  /** Closes a scan/apply job; true when the caller must hand the run's fixable items to fix. */
  async closeAndClaimHandOver(runId: string, stage: 'scan' | 'apply', jobId: string): Promise<boolean> {
    const claimed = await this.redis.eval(
      CLOSE_AND_CLAIM,
      4,
      this.key(runId, `open:${stage}`),
      this.key(runId, 'open:scan'),
      this.key(runId, 'open:apply'),
      this.key(runId, 'flushing'),
      jobId,
      String(RUN_TTL_S),
    );
    return claimed === 1;
  }

  /** Releases the claim: the fix jobs the hand-over made (if any) are open by now. */
  async handOverDone(runId: string): Promise<void> {
    await this.redis.del(this.key(runId, 'flushing'));
  }

  async progress(runId: string): Promise<RunProgress> {
    const multi = this.redis
      .multi()
      .scard(this.key(runId, 'open:scan'))
      .scard(this.key(runId, 'open:apply'))
      .scard(this.key(runId, 'open:fix'))
      .exists(this.key(runId, 'flushing'))
      .hmget(this.key(runId, 'meta'), 'files', 'candidates')
      .hlen(this.key(runId, 'decisions'))
      .hlen(this.key(runId, 'fixes'))
      .scard(this.key(runId, 'open:publish'));
    const res = (await multi.exec()) ?? [];
    const v = (i: number) => res[i]?.[1];
    const [files, candidates] = (v(4) as (string | null)[]) ?? [];
    return {
      open: { scan: Number(v(0)), apply: Number(v(1)), fix: Number(v(2)), publish: Number(v(7)) },
      flushing: Number(v(3)) === 1,
      files: Number(files ?? 0),
      candidates: Number(candidates ?? 0),
      decisions: Number(v(5)),
      fixResults: Number(v(6)),
    };
  }

  /** Every stage's open set is empty, publishing included: a run is not over before its branches are proposed. */
  static isDrained(p: RunProgress): boolean {
    return p.open.scan === 0 && p.open.apply === 0 && p.open.fix === 0 && p.open.publish === 0 && !p.flushing;
  }
}
