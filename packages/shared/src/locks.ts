/**
 * A lock per repository, in Redis with an expiry: fix runs one batch per repository at a
 * time (two batches would race on the same files and branches), while different
 * repositories proceed in parallel. The expiry frees the lock if its holder crashes.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

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
