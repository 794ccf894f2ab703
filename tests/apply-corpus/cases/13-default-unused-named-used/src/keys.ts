import Cache, { cacheKey } from './cache';

export function userKey(id: string): string {
  return cacheKey(['user', id]);
}
