/**
 * A fix worker and a publisher on different hosts, each with its own data folder (issue 17 item 4):
 * the fix worker works in its own clone of a repository configured by URL (own-clone.ts), and the
 * branch it commits reaches the publisher's clone through Redis (branch-handover.ts), at exactly
 * the recorded commit and never moving a branch that is there; the repository's lock is one for all
 * hosts. Real git, the test Redis.
 * tests/multi-host.test.ts runs the same across network namespaces with real processes.
 */
import { RepoLock } from '@selfreview/shared/locks';
import { createLogger } from '@selfreview/shared/logger';
import type { PublishJob } from '@selfreview/shared/queues';
import { parseServerConfig } from '@selfreview/shared/server-config';
import { Repository } from '@selfreview/shared/workspace';
import { afterAll, describe, expect, it } from 'vitest';
import { BranchHandover } from '../services/fix/src/branch-handover.ts';
import { ownCloneResolver } from '../services/fix/src/own-clone.ts';
import { holdRepoLock } from '../services/fix/src/pipeline/repo-lock.ts';
import { repoLockKey } from '../services/fix/src/processor.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const log = createLogger({ name: 'test', level: 'silent' });

describe('a fix branch across hosts', () => {
  const redis = connect();
  const prefixes: string[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await cleanPrefix(redis, p);
    redis.disconnect();
    for (const d of dirs) await removeDir(d);
  });

  async function setUp() {
    const origin = await makeRepo({ 'src/a.ts': 'export const a = 1;\n' });
    const fixHost = await tempDir();
    const publishHost = await tempDir();
    dirs.push(origin, fixHost, publishHost);
    const url = `file://${origin}`;
    const config = parseServerConfig(
      JSON.stringify({ repositories: [{ name: 'web', url, branch: 'main' }] }),
      'server.json',
    );
    const base = await git(origin, 'rev-parse', 'HEAD');
    const prefix = uniquePrefix('handover');
    prefixes.push(prefix);
    return { origin, fixHost, publishHost, url, config, base, prefix };
  }

  /** A commit on a selfreview branch of `repo` (a bare clone), as a fix batch makes it. */
  async function commitBranch(repo: string, base: string, branch: string, batchId: string): Promise<string> {
    const baseTree = await git(repo, 'rev-parse', `${base}^{tree}`);
    const commit = await git(
      repo,
      '-c',
      'user.name=fix',
      '-c',
      'user.email=fix@localhost',
      'commit-tree',
      baseTree,
      '-p',
      base,
      '-m',
      `fix\n\nSelfreview-Batch: ${batchId}`,
    );
    await git(repo, 'update-ref', `refs/heads/${branch}`, commit);
    return commit;
  }

  function publishJob(base: string, branch: string, commit: string, batchId: string): PublishJob {
    return {
      runId: 'run-1',
      repo: { path: '/elsewhere/clones/of/the/scan/host', name: 'web' },
      baseBranch: 'main',
      baseSha: base,
      batchId,
      branch,
      commit,
      items: [],
    };
  }

  it("the fix worker clones the configured URL into its own data folder; the job's path is not used", async () => {
    const { fixHost, config, base, origin } = await setUp();
    const resolve = ownCloneResolver(config, fixHost);
    const dir = await resolve({ path: '/no/such/folder', name: 'web' }, base);
    expect(dir).toBe(Repository.clonePath(`file://${origin}`, fixHost));
    expect(await git(dir, 'rev-parse', 'main')).toBe(base);
    // A new commit upstream is fetched when a job's base is not there yet.
    await git(
      origin,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@l',
      'commit',
      '--allow-empty',
      '-q',
      '-m',
      'next',
    );
    const next = await git(origin, 'rev-parse', 'HEAD');
    expect(await resolve({ path: '/no/such/folder', name: 'web' }, next)).toBe(dir);
    expect(await git(dir, 'rev-parse', 'main')).toBe(next);
    // Not in the server configuration, or configured by path: the job's own path.
    expect(await resolve({ path: '/local/checkout', name: 'other' }, base)).toBe('/local/checkout');
    expect(await resolve({ path: '/local/checkout' }, base)).toBe('/local/checkout');
  });

  it('the publisher on another host gets the committed branch at exactly its commit, once', async () => {
    const { fixHost, publishHost, url, config, base, prefix } = await setUp();
    const fixRepo = await Repository.open(
      await ownCloneResolver(config, fixHost)({ path: '/x', name: 'web' }, base),
    );
    const branch = 'selfreview/remove-unused-imports-0123456789';
    const commit = await commitBranch(fixRepo.root, base, branch, 'run-1-b-1');
    const job = publishJob(base, branch, commit, 'run-1-b-1');
    await new BranchHandover(redis, prefix).put(fixRepo, job, log);

    const publishRepo = await Repository.cloneOrFetch(url, publishHost);
    expect(await publishRepo.resolveBranch(branch)).toBeNull();
    const handover = new BranchHandover(redis, prefix);
    expect(await handover.take(publishRepo, job, log)).toBe(true);
    expect(await publishRepo.resolveBranch(branch)).toBe(commit);
    expect(await git(publishRepo.root, 'log', '-1', '--format=%B', branch)).toContain(
      'Selfreview-Batch: run-1-b-1',
    );
    // There now: taken no second time, and the scratch ref is gone.
    expect(await handover.take(publishRepo, job, log)).toBe(false);
    expect(await git(publishRepo.root, 'for-each-ref', 'refs/selfreview-handover/')).toBe('');
  });

  it('a kept branch at another commit than the recorded one is refused and leaves nothing', async () => {
    const { fixHost, publishHost, url, config, base, prefix } = await setUp();
    const fixRepo = await Repository.open(
      await ownCloneResolver(config, fixHost)({ path: '/x', name: 'web' }, base),
    );
    const branch = 'selfreview/remove-unused-imports-abcdefabcd';
    const commit = await commitBranch(fixRepo.root, base, branch, 'run-1-b-2');
    await new BranchHandover(redis, prefix).put(fixRepo, publishJob(base, branch, commit, 'run-1-b-2'), log);
    const publishRepo = await Repository.cloneOrFetch(url, publishHost);
    // The run recorded another commit (an edited job or bundle): nothing is taken.
    const other = publishJob(base, branch, base, 'run-1-b-2');
    expect(await new BranchHandover(redis, prefix).take(publishRepo, other, log)).toBe(false);
    expect(await publishRepo.resolveBranch(branch)).toBeNull();
    expect(await git(publishRepo.root, 'for-each-ref', 'refs/selfreview-handover/')).toBe('');
    // No bundle kept for a batch: nothing to take.
    expect(
      await new BranchHandover(redis, prefix).take(
        publishRepo,
        publishJob(base, branch, commit, 'run-1-b-9'),
        log,
      ),
    ).toBe(false);
  });

  it("the repository's lock is one on every host, though each host's clone has its own folder", async () => {
    const { prefix } = await setUp();
    const job = { path: '/srv/scan-host/data/clones/36beae406afe7df2', name: 'web' };
    const onHostA = repoLockKey(job, '/srv/fix-a/data/clones/36beae406afe7df2', true);
    const onHostB = repoLockKey(job, '/var/lib/selfreview/clones/36beae406afe7df2', true);
    expect(onHostA).toBe(onHostB);
    const locks = new RepoLock(redis, prefix);
    const held = await holdRepoLock(locks, onHostA, 'run-1-b-1', 'token-a', log, {
      slots: 1,
      files: ['src/a.ts'],
    });
    expect(held).not.toBeNull();
    // Another batch of the repository on the other host waits for the slot (fix.concurrency 1).
    expect(
      await holdRepoLock(locks, onHostB, 'run-1-b-2', 'token-b', log, { slots: 1, files: ['src/b.ts'] }),
    ).toBeNull();
    await held?.release();
    const next = await holdRepoLock(locks, onHostB, 'run-1-b-2', 'token-b', log, {
      slots: 1,
      files: ['src/b.ts'],
    });
    expect(next).not.toBeNull();
    await next?.release();
    // Without a server configuration (selfreview run, hand-made jobs): the repository's folder.
    expect(repoLockKey(job, '/work/repo', false)).toBe('/work/repo');
    expect(repoLockKey({ path: '/work/repo' }, '/work/repo', true)).toBe('/work/repo');
  });
});
