/**
 * A job naming a repository that is gone, or one with a broken config, fails for good instead of
 * retrying; a worker's JobRepositories open each repository once and read its config once per
 * commit, and fail the same way.
 */
// The workers load the checks' registry before any configuration is read; so does this test.
import '@selfreview/checks';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JobRepositories, openJobRepository } from '@selfreview/shared/worker';
import { UnrecoverableError } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir } from './helpers/git.ts';

describe('openJobRepository', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await removeDir(d);
  });

  it('opens the repository and reads its config at the commit', async () => {
    const dir = await makeRepo({
      'selfreview.config.json': '{ "fix": { "maxFiles": 1 } }\n',
      'a.ts': 'export {};\n',
    });
    dirs.push(dir);
    const { repo, config } = await openJobRepository(dir, await git(dir, 'rev-parse', 'HEAD'));
    expect(repo.root).toBe(dir);
    expect(config.fix.maxFiles).toBe(1);
  });

  it('fails unrecoverably for a repository that no longer exists', async () => {
    await expect(openJobRepository('/nonexistent/selfreview-gone', 'a'.repeat(40))).rejects.toThrow(
      UnrecoverableError,
    );
  });

  it('fails unrecoverably, naming the key, for an invalid config file', async () => {
    const dir = await makeRepo({
      'selfreview.config.yaml': 'fix:\n  maxFiles: two\n',
      'a.ts': 'export {};\n',
    });
    dirs.push(dir);
    const err = await openJobRepository(dir, await git(dir, 'rev-parse', 'HEAD')).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toMatch(/^selfreview\.config\.yaml: fix\.maxFiles: /);
  });
});

describe('JobRepositories', () => {
  const dirs: string[] = [];
  const repositories = new JobRepositories();
  afterAll(async () => {
    await repositories.close();
    for (const d of dirs) await removeDir(d);
  });

  it('opens a repository once, and reads its config once per commit', async () => {
    const dir = await makeRepo({ 'selfreview.config.json': '{ "fix": { "maxFiles": 1 } }\n', 'a.ts': '' });
    dirs.push(dir);
    const first = await git(dir, 'rev-parse', 'HEAD');
    const one = await repositories.open(dir, first);
    expect(one.config.fix.maxFiles).toBe(1);
    expect(await one.repo.branchTip('main')).toBe(first);

    await writeFile(path.join(dir, 'selfreview.config.json'), '{ "fix": { "maxFiles": 3 } }\n');
    await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@l', 'commit', '-qam', 'three');
    const second = await git(dir, 'rev-parse', 'HEAD');
    const two = await repositories.open(dir, second);
    expect(two.repo).toBe(one.repo);
    expect(two.config.fix.maxFiles).toBe(3);
    expect((await repositories.open(dir, first)).config).toBe(one.config);
    expect(await two.repo.branchTip('main')).toBe(second);
  });

  it('fails unrecoverably for a repository that was removed, or a config that is invalid', async () => {
    const dir = await makeRepo({ 'selfreview.config.yaml': 'fix:\n  maxFiles: two\n', 'a.ts': '' });
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const bad = await repositories.open(dir, sha).catch((e: Error) => e);
    expect(bad).toBeInstanceOf(UnrecoverableError);
    // Not kept: asked again, it is read again (and fails again).
    await expect(repositories.open(dir, sha)).rejects.toThrow(UnrecoverableError);
    await removeDir(dir);
    await expect(repositories.open(dir, sha)).rejects.toThrow(UnrecoverableError);
  });
});
