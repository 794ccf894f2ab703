/**
 * Memory across runs, on a real Redis: outcomes accumulate per repository and finding,
 * and a second run of the whole pipeline does not propose what the first one fixed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FindingMemory } from '@selfreview/shared/memory';
import { RunReport } from '@selfreview/shared/schemas';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { EXAMPLE, git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

describe('FindingMemory', () => {
  const prefix = uniquePrefix('memory');
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });

  it('records outcomes per repository, counting failures across runs', async () => {
    const memory = new FindingMemory(redis, prefix);
    await memory.record('/repo/a', 'unused-local:1', 'failed', 1000);
    const second = await memory.record('/repo/a', 'unused-local:1', 'failed', 2000);
    expect(second).toEqual({ outcome: 'failed', at: 2000, failures: 2 });
    await memory.record('/repo/a', 'unused-import:2', 'fixed', 3000);
    const recalled = await memory.recall('/repo/a', ['unused-local:1', 'unused-import:2', 'never-seen']);
    expect(Object.fromEntries(recalled)).toEqual({
      'unused-local:1': { outcome: 'failed', at: 2000, failures: 2 },
      'unused-import:2': { outcome: 'fixed', at: 3000, failures: 0 },
    });
    // Another repository with the same finding id knows nothing of it.
    expect((await memory.recall('/repo/b', ['unused-local:1'])).size).toBe(0);
    // A fix after failures keeps the count: two failures still need a person.
    expect(await memory.record('/repo/a', 'unused-local:1', 'fixed', 4000)).toEqual({
      outcome: 'fixed',
      at: 4000,
      failures: 2,
    });
  });
});

describe('a second run on the same repository', () => {
  const prefix = uniquePrefix('rerun');
  let repo: string;
  let dataDir: string;
  const reports: RunReport[] = [];

  beforeAll(async () => {
    repo = await makeRepo(EXAMPLE);
    dataDir = await tempDir();
    for (const name of ['first.json', 'second.json']) {
      const file = path.join(dataDir, name);
      const res = await runCli(['run', repo, '--report', file], {
        REDIS_URL: testRedisUrl(),
        SELFREVIEW_PREFIX: prefix,
        SELFREVIEW_DATA_DIR: dataDir,
      });
      if (res.code !== 0) throw new Error(`selfreview run failed (${res.code}): ${res.stderr}${res.stdout}`);
      reports.push(RunReport.parse(JSON.parse(await readFile(file, 'utf8'))));
    }
  }, 300_000);

  afterAll(async () => {
    const redis = new Redis(testRedisUrl());
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  it('drops what the first run fixed as recently_fixed, and commits nothing new', async () => {
    const [first, second] = reports as [RunReport, RunReport];
    const fixedIds = new Set(
      first.fixes.filter((f) => f.status === 'committed').flatMap((f) => f.candidateIds),
    );
    expect(fixedIds.size).toBe(5);
    const again = second.decisions.filter((d) => fixedIds.has(d.candidateId));
    expect(again).toHaveLength(5);
    for (const d of again) expect(d).toMatchObject({ verdict: 'drop', reason: 'recently_fixed' });
    expect(second.fixes.filter((f) => f.status === 'committed')).toEqual([]);
    const branches = (await git(repo, 'branch', '--list', 'selfreview/*')).split('\n').filter(Boolean);
    expect(branches).toHaveLength(2);
  });
});
