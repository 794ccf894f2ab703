/**
 * Fix batches' hold on a repository, in Redis: a repository has `slots` places (its
 * `fix.concurrency`), and each file a batch may change has a lock of its own, so at most that
 * many batches of one repository run at once and never two that touch the same file (they would
 * race on its text), while different repositories proceed in parallel. Everything a holder
 * holds has a short expiry that it keeps renewing: a holder that dies stops renewing, so its
 * slot and its files are free again within one expiry (seconds, not the batch's time limit).
 *
 * A holder takes its slot and all its files in one script, all or nothing, so no two batches
 * ever wait on each other (no deadlock) and a batch never holds part of what it needs. The
 * slots are a sorted set (member: the holder, score: its expiry in Redis's own clock, so hosts'
 * clocks do not matter); each file is a key whose value is its holder, with an expiry.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Redis's own clock in ms, and the slots whose expiry has passed removed. */
const NOW_AND_PRUNE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`;

/** Keeps the slots' key at least as long as its newest member (each member has its own expiry). */
const KEEP_SLOTS_KEY = `
local function keep(ttl)
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
`;

/**
 * KEYS[1]: the slots; KEYS[2..]: the files. ARGV: owner, ttl, slots, then the holders taken over.
 * The holders taken over are gone (the caller knows): their slots and their locks on these files
 * are dropped. Then, only if every file is free (or already the owner's) and a slot is free (or
 * already the owner's), the owner takes the slot and every file. Returns {1} when taken, else
 * {0, 'files', holder} or {0, 'slots'}.
 */
const ACQUIRE = `${NOW_AND_PRUNE}${KEEP_SLOTS_KEY}
local owner = ARGV[1]
local ttl = tonumber(ARGV[2])
local slots = tonumber(ARGV[3])
local gone = {}
for i = 4, #ARGV do
  gone[ARGV[i]] = true
  redis.call('ZREM', KEYS[1], ARGV[i])
end
for i = 2, #KEYS do
  local h = redis.call('GET', KEYS[i])
  if h and h ~= owner and not gone[h] then return {0, 'files', h} end
end
if not redis.call('ZSCORE', KEYS[1], owner) and redis.call('ZCARD', KEYS[1]) >= slots then
  return {0, 'slots'}
end
redis.call('ZADD', KEYS[1], now + ttl, owner)
keep(ttl)
for i = 2, #KEYS do redis.call('SET', KEYS[i], owner, 'PX', ttl) end
return {1}
`;

/** Extends the owner's slot and files only while it still holds all of them; 1 when renewed. */
const RENEW = `${NOW_AND_PRUNE}${KEEP_SLOTS_KEY}
local owner = ARGV[1]
local ttl = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], owner) then return 0 end
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) ~= owner then return 0 end
end
redis.call('ZADD', KEYS[1], 'XX', now + ttl, owner)
keep(ttl)
for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
return 1
`;

/** Drops the owner's slot and those of the files it still holds (an expired one may be another's now). */
const RELEASE = `
local released = redis.call('ZREM', KEYS[1], ARGV[1])
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return released
`;

/** The live slots' holders, then each file's holder ('' for none). */
const HOLDERS = `${NOW_AND_PRUNE}
local out = { redis.call('ZRANGE', KEYS[1], 0, -1) }
for i = 2, #KEYS do out[i] = redis.call('GET', KEYS[i]) or '' end
return out
`;

export type RepoClaim = Readonly<{
  /** The most batches of the repository at once (its `fix.concurrency`); 1: one batch at a time. */
  slots: number;
  /** The repository-relative files the batch may change: no other holder may hold any of them. */
  files: readonly string[];
  ttlMs: number;
}>;

/** Why a claim was refused: every slot taken, or a file held by `holder`. */
export type ClaimRefused = { busy: 'slots' } | { busy: 'files'; holder: string };

export type RepoHolders = { slots: string[]; files: (string | null)[] };

export class RepoLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /**
   * Takes a slot of `repo` and every file of the claim for `owner`, all or nothing; null when
   * taken, else why not. `gone` are holders known to be gone (the same batch's crashed attempt,
   * a dead process of this host): what they held is dropped first, without waiting for it to expire.
   */
  async acquire(
    repo: string,
    owner: string,
    claim: RepoClaim,
    gone: readonly string[] = [],
  ): Promise<ClaimRefused | null> {
    const keys = this.keys(repo, claim.files);
    const args = [owner, ttl(claim.ttlMs), String(Math.max(1, Math.floor(claim.slots))), ...gone];
    const res = (await this.redis.eval(ACQUIRE, keys.length, ...keys, ...args)) as [number, string?, string?];
    if (res[0] === 1) return null;
    return res[1] === 'files' ? { busy: 'files', holder: res[2] ?? '' } : { busy: 'slots' };
  }

  /** Extends the owner's hold while it still has its slot and all its files; false when lost. */
  async renew(repo: string, owner: string, files: readonly string[], ttlMs: number): Promise<boolean> {
    const keys = this.keys(repo, files);
    return (await this.redis.eval(RENEW, keys.length, ...keys, owner, ttl(ttlMs))) === 1;
  }

  /** Releases what `owner` still holds; true when it still had its slot. */
  async release(repo: string, owner: string, files: readonly string[]): Promise<boolean> {
    const keys = this.keys(repo, files);
    return (await this.redis.eval(RELEASE, keys.length, ...keys, owner)) === 1;
  }

  /** Who holds the repository's slots now, and each of `files` (null: free). */
  async holders(repo: string, files: readonly string[] = []): Promise<RepoHolders> {
    const keys = this.keys(repo, files);
    const [slots, ...held] = (await this.redis.eval(HOLDERS, keys.length, ...keys)) as [
      string[],
      ...string[],
    ];
    return { slots, files: held.map((h) => h || null) };
  }

  /** The repository's holders, for a message; null when none. */
  async holder(repo: string): Promise<string | null> {
    const { slots } = await this.holders(repo);
    return slots.length > 0 ? slots.join(', ') : null;
  }

  private keys(repo: string, files: readonly string[]): string[] {
    const repoKey = hash(repo);
    return [
      `${this.prefix}:lock:repo-slots:${repoKey}`,
      ...[...new Set(files)].map((f) => `${this.prefix}:lock:file:${repoKey}:${hash(f)}`),
    ];
  }
}

function hash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

function ttl(ms: number): string {
  return String(Math.max(1, Math.round(ms)));
}
