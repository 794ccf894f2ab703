/** A job naming a repository that is gone, or one with a broken config, fails for good instead of retrying. */
// The workers load the checks' registry before any configuration is read; so does this test.
import '@selfreview/checks';
import { openJobRepository } from '@selfreview/shared/worker';
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
