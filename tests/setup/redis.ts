/**
 * Global set-up of the integration project: a real Redis for the whole run.
 * REDIS_URL if given (CI may provide one), else a private redis-server on a
 * free loopback port, stopped at the end. Tests find it in TEST_REDIS_URL.
 */

import { pingRedis } from '@selfreview/shared/redis';
import { startPrivateRedis } from '@selfreview/shared/redis-server';
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) {
    if (!(await pingRedis(process.env.REDIS_URL, 3000)))
      throw new Error('REDIS_URL is set but does not answer');
    project.provide('redisUrl', process.env.REDIS_URL);
    return async () => {};
  }
  const redis = await startPrivateRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
