/**
 * Paused repositories, by their name in the server configuration. A paused repository starts
 * no new run, and its fix batches wait (delayed, not failed) until it is resumed; work already
 * queued is kept, nothing is lost.
 */
import type { Redis } from 'ioredis';

export class RepoPauses {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}:paused`;
  }

  async pause(name: string): Promise<boolean> {
    return (await this.redis.sadd(this.key, name)) === 1;
  }

  async resume(name: string): Promise<boolean> {
    return (await this.redis.srem(this.key, name)) === 1;
  }

  async isPaused(name: string | undefined): Promise<boolean> {
    if (!name) return false;
    return (await this.redis.sismember(this.key, name)) === 1;
  }

  async list(): Promise<string[]> {
    return (await this.redis.smembers(this.key)).sort();
  }
}
