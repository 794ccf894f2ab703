import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { REDIS_PASSWORD_PLACEHOLDER } from '../src/redis.ts';

const CONF = new URL('../../../infra/redis.conf', import.meta.url);

/** The settings of infra/redis.conf that are not comments, by name. */
async function settings(): Promise<Map<string, string>> {
  const lines = (await readFile(CONF, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  return new Map(
    lines.map((l) => [l.trim().split(/\s+/)[0] ?? '', l.trim().split(/\s+/).slice(1).join(' ')]),
  );
}

describe('infra/redis.conf', () => {
  it('keeps every key (noeviction) and persists them (AOF)', async () => {
    const s = await settings();
    expect(s.get('maxmemory-policy')).toBe('noeviction');
    expect(s.get('appendonly')).toBe('yes');
  });

  it('wants a password, and ships the placeholder the workers refuse', async () => {
    expect((await settings()).get('requirepass')).toBe(REDIS_PASSWORD_PLACEHOLDER);
  });

  it('listens on loopback only', async () => {
    const s = await settings();
    expect(s.get('bind')).toBe('127.0.0.1 -::1');
    expect(s.get('protected-mode')).toBe('yes');
  });
});
