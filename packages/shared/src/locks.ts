/**
 * A lock per repository, in Redis with a short expiry that its holder keeps renewing: fix
 * runs one batch per repository at a time (two batches would race on the same files and
 * branches), while different repositories proceed in parallel. A holder that dies stops
 * renewing, so the repository is free again within one expiry (seconds, not the batch's
 * time limit).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const TAKE_OVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RepoLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Takes the lock for `owner` unless someone else holds it; true when taken. */
  async acquire(repo: string, owner: string, ttlMs: number): Promise<boolean> {
    const ok = await this.redis.set(this.key(repo), owner, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    return ok === 'OK';
  }

  /** Extends the lock while `owner` still holds it; false when it was lost (expired, taken over). */
  async renew(repo: string, owner: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.redis.eval(RENEW, 1, this.key(repo), owner, String(Math.max(1, Math.round(ttlMs))))) === 1
    );
  }

  /**
   * Hands the lock from `previous` to `owner` in one step, only if `previous` still holds it:
   * a retried job takes over the lock its own crashed attempt left, without waiting for it to expire.
   */
  async takeOver(repo: string, previous: string, owner: string, ttlMs: number): Promise<boolean> {
    const ttl = String(Math.max(1, Math.round(ttlMs)));
    return (await this.redis.eval(TAKE_OVER, 1, this.key(repo), previous, owner, ttl)) === 1;
  }

  /** Releases the lock only if `owner` still holds it (an expired lock may belong to another now). */
  async release(repo: string, owner: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.key(repo), owner)) === 1;
  }

  async holder(repo: string): Promise<string | null> {
    return this.redis.get(this.key(repo));
  }

  private key(repo: string): string {
    return `${this.prefix}:lock:repo:${createHash('sha1').update(repo).digest('hex').slice(0, 16)}`;
  }
}
