/**
 * What happened to each finding on earlier runs, so a finding that was fixed, rejected or
 * failed is not proposed again and again (the Dependabot and Renovate complaint). One
 * Redis hash per repository, keyed by the candidate's stable id; the judgement of what a
 * record means is pure (`memoryVerdict`), the storage is this adapter.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const OUTCOMES = ['fixed', 'rejected', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const MemoryRecord = z.object({
  /** The latest outcome. */
  outcome: z.enum(OUTCOMES),
  /** When it happened, milliseconds since the epoch. */
  at: z.number(),
  /** How many times a fix of this finding has failed, over all time. */
  failures: z.number().int().nonnegative(),
});
export type MemoryRecord = z.infer<typeof MemoryRecord>;

/** Records older than this are forgotten, whatever the configured window. */
const RETENTION_SECONDS = 400 * 24 * 3600;

export class FindingMemory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** The records of these candidate ids in one repository; ids never seen are absent. */
  async recall(repo: string, ids: readonly string[]): Promise<Map<string, MemoryRecord>> {
    const out = new Map<string, MemoryRecord>();
    if (ids.length === 0) return out;
    const values = await this.redis.hmget(this.key(repo), ...ids);
    ids.forEach((id, i) => {
      const raw = values[i];
      if (raw == null) return;
      const parsed = MemoryRecord.safeParse(JSON.parse(raw));
      // A record from an older format is treated as never seen, not as an error.
      if (parsed.success) out.set(id, parsed.data);
    });
    return out;
  }

  /** Records an outcome; failures accumulate across runs (atomically, in one script). */
  async record(repo: string, id: string, outcome: Outcome, at = Date.now()): Promise<MemoryRecord> {
    const raw = (await this.redis.eval(
      RECORD_SCRIPT,
      1,
      this.key(repo),
      id,
      outcome,
      String(at),
      String(RETENTION_SECONDS),
    )) as string;
    return MemoryRecord.parse(JSON.parse(raw));
  }

  private key(repo: string): string {
    // The repository's path or URL can hold anything; its hash keeps the key well-formed.
    const hash = createHash('sha1').update(repo).digest('hex').slice(0, 16);
    return `${this.prefix}:memory:${hash}`;
  }
}

const RECORD_SCRIPT = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
local failures = 0
if previous then
  local ok, decoded = pcall(cjson.decode, previous)
  if ok and type(decoded) == 'table' and tonumber(decoded.failures) then failures = tonumber(decoded.failures) end
end
if ARGV[2] == 'failed' then failures = failures + 1 end
local record = cjson.encode({ outcome = ARGV[2], at = tonumber(ARGV[3]), failures = failures })
redis.call('HSET', KEYS[1], ARGV[1], record)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return record
`;
