/**
 * Fix branches proposed: the fix worker hands the publisher only the verified commit (no
 * settings, no token); the publisher pushes fast-forward only and opens one pull request (GitHub)
 * or merge request (GitLab) describing the fix, labelled, never merged, and not twice when a
 * batch is re-run after a crash.
 */
import { noPublishing, runSettingsResolver } from '@selfreview/fix/publisher';
import { ProposalIndex } from '@selfreview/shared/proposals';
import { type FixJob, publishJobId } from '@selfreview/shared/queues';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { FILES, publishTestBed, TOKEN } from './helpers/fix-publish.ts';
import { git, makeGuardedRemote, makeRepo, removeDir, userState } from './helpers/git.ts';

describe('publishing fix branches', () => {
  const bed = publishTestBed();
  const { prefix, redis, runs, ctx, job, toGitHub, credentials, remoteTip, fixer, publisher, handedFor } =
    bed;

  it('the fix worker hands over only the verified commit: no settings, no token', async () => {
    const [result] = await fixer()(job('handover', 'src/g.ts'), ctx);
    expect(result?.status).toBe('committed');
    const handedJob = handedFor('handover');
    expect(Object.keys(handedJob).sort()).toEqual(
      ['baseBranch', 'baseSha', 'batchId', 'branch', 'commit', 'items', 'repo', 'runId'].sort(),
    );
    expect(handedJob).toMatchObject({
      branch: result?.branch,
      commit: result?.commit,
      repo: { path: bed.repo },
    });
    // Open in the run until the publisher is done with it: the run is not over before that.
    expect(await redis.smembers(`${prefix}:run:{run-handover}:open:publish`)).toEqual([
      publishJobId('handover'),
    ]);
    await publisher(noPublishing)(handedJob, ctx);
    expect(await redis.smembers(`${prefix}:run:{run-handover}:open:publish`)).toEqual([]);
  });

  it('pushes the branch and opens one pull request describing the fix, labelled, never merged', async () => {
    const before = await userState(bed.repo);
    const proposals = new ProposalIndex(redis, prefix);
    const [result] = await fixer()(job('gh', 'src/a.ts'), ctx);
    expect(result).toMatchObject({ status: 'committed', verification: { typecheck: 'pass', tests: 'pass' } });
    const branch = result?.branch ?? '';
    // Nothing left the host before the publisher took the batch.
    expect(await remoteTip(branch)).toBeNull();
    expect(bed.github.requests).toEqual([]);
    await publisher(toGitHub(), credentials, proposals)(handedFor('gh'), ctx);

    expect(await remoteTip(branch)).toBe(result?.commit);
    expect(await git(bed.remote, 'rev-parse', 'main')).toBe(bed.sha);
    expect(bed.github.pulls).toHaveLength(1);
    const pull = bed.github.pulls[0];
    expect(pull).toMatchObject({
      repo: 'o/r',
      head: branch,
      base: 'main',
      title: 'selfreview: remove unused imports in 1 file',
      labels: ['selfreview:auto-mergeable'],
      state: 'open',
    });
    expect(pull?.body).toContain(
      "- `src/a.ts` line 1: 'b' is imported from './m' but never used (unused-import, confidence 0.95)",
    );
    expect(pull?.body).toContain('- Tests: pass');
    expect(pull?.body).toContain(`selfreview rollback ${branch}`);
    expect(pull?.body).toContain(`Rollback ref (the base before the fix): \`${bed.sha}\``);

    const [record] = await runs.pullRequests('run-gh');
    expect(record).toMatchObject({
      batchId: 'gh',
      branch,
      status: 'opened',
      forge: 'github',
      url: pull?.htmlUrl,
      number: pull?.number,
      labels: ['selfreview:auto-mergeable'],
    });
    // Never merged, and the token went nowhere but the Authorization header.
    expect(bed.github.requests.filter((r) => r.path.includes('/merge'))).toEqual([]);
    for (const r of bed.github.requests) {
      expect(r.path).not.toContain(TOKEN);
      expect(r.body).not.toContain(TOKEN);
      expect(JSON.stringify(r.headers)).not.toContain(TOKEN);
    }
    expect(JSON.stringify(await runs.fixResults('run-gh'))).not.toContain(TOKEN);
    // Kept for the gateway: closing this request unmerged marks these findings rejected.
    expect(await proposals.lookup('github', 'o/r', branch)).toEqual({
      repoPath: bed.repo,
      runId: 'run-gh',
      batchId: 'gh',
      candidateIds: result?.candidateIds,
    });
    expect(await userState(bed.repo)).toEqual(before);
  });

  it('a batch re-run after a crash reuses its branch and its pull request', async () => {
    const data = job('gh', 'src/a.ts');
    const opened = bed.github.pulls.length;
    // Forget everything the first attempt recorded, as if the worker died right after proposing.
    await redis.del(`${prefix}:run:{run-gh}:fixes`, `${prefix}:run:{run-gh}:pulls`);
    const [again] = await fixer()(data, ctx);
    expect(again).toMatchObject({
      status: 'committed',
      reason: 'committed by an earlier attempt of this batch',
    });
    await publisher(toGitHub())(handedFor('gh'), ctx);
    expect(bed.github.pulls).toHaveLength(opened);
    const [record] = await runs.pullRequests('run-gh');
    expect(record).toMatchObject({ status: 'updated', number: bed.github.pulls[0]?.number });
    expect(await git(bed.repo, 'rev-list', '--count', `${bed.sha}..${again?.branch}`)).toBe('1');
    // Handed over again the same job is a no-op for the publisher.
    const requests = bed.github.requests.length;
    expect(await publisher(toGitHub())(handedFor('gh'), ctx)).toMatchObject({ status: 'updated' });
    expect(bed.github.requests.length).toBe(requests);
  });

  it('never forces: a push the remote rejects as not a fast-forward fails for good, remote untouched', async () => {
    // Someone else's commit already sits on the remote under the name this batch will use.
    const { branchName } = await import('@selfreview/fix/branch');
    const branch = branchName('diverged', ['remove_unused_import']);
    const other = await makeRepo({ 'README.md': 'unrelated\n' });
    try {
      await git(other, 'push', '--quiet', bed.remote, `main:refs/heads/${branch}`);
      const theirs = await remoteTip(branch);
      await fixer()(job('diverged', 'src/b.ts'), ctx);
      await expect(publisher(toGitHub())(handedFor('diverged'), ctx)).rejects.toThrow(UnrecoverableError);
      expect(await remoteTip(branch)).toBe(theirs);
      const [record] = await runs.pullRequests('run-diverged');
      expect(record?.status).toBe('failed');
      expect(record?.reason).toMatch(/rejected|non-fast-forward/);
      expect(bed.github.pulls.filter((p) => p.head === branch)).toEqual([]);
      // The verified commit is kept locally for a person to look at.
      expect((await runs.fixResults('run-diverged'))[0]).toMatchObject({ status: 'committed', branch });
    } finally {
      await removeDir(other);
    }
  });

  it('opens a GitLab merge request, with needs-review when the tests could not vouch for it', async () => {
    const noTests = await makeRepo({
      ...FILES,
      'package.json': JSON.stringify({ name: 'demo', private: true }),
    });
    const glRemote = await makeGuardedRemote(noTests);
    try {
      const noTestsSha = await git(noTests, 'rev-parse', 'HEAD');
      const data: FixJob = { ...job('gl', 'src/a.ts'), repo: { path: noTests }, baseSha: noTestsSha };
      const [result] = await fixer()(data, ctx);
      expect(result).toMatchObject({
        status: 'committed',
        verification: { typecheck: 'pass', tests: 'skipped' },
      });
      const resolve = runSettingsResolver({
        repoPath: noTests,
        baseBranch: 'main',
        remote: 'origin',
        forge: { kind: 'gitlab', project: 'g/sub/p', apiUrl: bed.gitlab.url },
      });
      await publisher(resolve)(handedFor('gl'), ctx);
      expect(bed.gitlab.mergeRequests).toHaveLength(1);
      expect(bed.gitlab.mergeRequests[0]).toMatchObject({
        sourceBranch: result?.branch,
        targetBranch: 'main',
        labels: ['selfreview:needs-review'],
      });
      expect(bed.gitlab.mergeRequests[0]?.description).toContain(
        '- Tests: skipped (the repository has no test command)',
      );
      expect(
        bed.gitlab.requests.filter((r) => r.path.includes('/merge?') || r.path.endsWith('/merge')),
      ).toEqual([]);
      const pushed = await git(
        glRemote,
        'for-each-ref',
        '--format=%(objectname)',
        `refs/heads/${result?.branch}`,
      );
      expect(pushed).toBe(result?.commit);
    } finally {
      await removeDir(noTests);
      await removeDir(glRemote);
    }
  });
});
