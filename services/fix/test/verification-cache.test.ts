import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { restoreBuildInfo, sha256 } from '../src/build-info.ts';
import { pruneVerifyCache, VERIFY_CACHE_MAX_AGE_MS, VerifyCache } from '../src/verification-cache.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('the verification cache is pruned of entries unused for a week', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function cacheWith(entries: Record<string, number>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-verify-cache-'));
    dirs.push(dir);
    for (const [name, ageMs] of Object.entries(entries)) {
      await writeFile(path.join(dir, name), JSON.stringify({ diagnostics: [] }));
      const when = new Date(Date.now() - ageMs);
      await utimes(path.join(dir, name), when, when);
    }
    return dir;
  }

  it('removes what was last used more than a week ago and keeps the rest, once an hour unless forced', async () => {
    const dir = await cacheWith({
      'old.json': 8 * DAY,
      'old.tsbuildinfo': 30 * DAY,
      'recent.json': 6 * DAY,
      'fresh.tsbuildinfo': 0,
    });
    await mkdir(path.join(dir, 'a-folder'));
    expect(await pruneVerifyCache(dir)).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['a-folder', 'fresh.tsbuildinfo', 'recent.json']);
    // Looked through a moment ago: not again within the hour, however old the entries.
    expect(await pruneVerifyCache(dir, { maxAgeMs: 0, now: Date.now() + 60_000 })).toBe(0);
    expect(await pruneVerifyCache(dir, { maxAgeMs: 0, now: Date.now() + 60_000, force: true })).toBe(2);
    expect(await pruneVerifyCache(path.join(dir, 'missing'), { force: true })).toBe(0);
  });

  it('counts a read as a use: an old entry read today stays', async () => {
    const dir = await cacheWith({ 'k1.json': 10 * DAY, 'k2.tsbuildinfo': 10 * DAY });
    const cache = new VerifyCache(dir, '/wt', 'a'.repeat(40));
    expect(await cache.read('k1')).toEqual({ diagnostics: [] });
    const worktree = await mkdtemp(path.join(os.tmpdir(), 'selfreview-verify-wt-'));
    dirs.push(worktree);
    const expected = sha256(JSON.stringify({ diagnostics: [] }));
    expect(await restoreBuildInfo(dir, 'k2', expected, worktree, 'b/tsconfig.tsbuildinfo')).toBe(true);
    for (const name of ['k1.json', 'k2.tsbuildinfo'])
      expect(Date.now() - (await stat(path.join(dir, name))).mtimeMs).toBeLessThan(VERIFY_CACHE_MAX_AGE_MS);
    expect(await pruneVerifyCache(dir, { force: true })).toBe(0);
  });
});
