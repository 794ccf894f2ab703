/** Each test gets its own key prefix on the shared test Redis and removes its keys after. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export function testRedisUrl(): string {
  return inject('redisUrl');
}

export function uniquePrefix(name = 't'): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

export function connect(role: 'worker' | 'producer' = 'worker'): Redis {
  return new Redis(
    testRedisUrl(),
    role === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1 },
  );
}

/** Deletes every key under the prefix (BullMQ's queues included). */
export async function cleanPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
