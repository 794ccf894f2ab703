/**
 * Publishing fix branches: pushed fast-forward only to a remote guarded like a hosted one,
 * proposed through the real GitHub and GitLab clients against loopback servers, never merged,
 * and never proposed twice when a batch is re-run after a crash.
 */
import { createFixProcessor } from '@selfreview/fix/processor';
import { analyzeFile } from '@selfreview/scan/analyze';
import { ProposalIndex } from '@selfreview/shared/proposals';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import { Repository } from '@selfreview/shared/workspace';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from './helpers/fake-github.ts';
import { type FakeGitLab, startFakeGitLab } from './helpers/fake-gitlab.ts';
import { git, makeGuardedRemote, makeRepo, removeDir, tempDir, userState } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const TOKEN = 'ghp_loopbackTestToken0123456789abcdefABCD';
const GITLAB_TOKEN = 'glpat-loopbackTestToken0123';

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, types: [] },
    include: ['src'],
  }),
  'package.json': JSON.stringify({ name: 'demo', private: true, scripts: { test: 'node test/check.cjs' } }),
  'test/check.cjs': "if (!require('node:fs').existsSync('src/m.ts')) process.exit(1);\n",
  'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
  'src/a.ts': "import { a, b } from './m';\nexport const x = a;\n",
  'src/b.ts': "import { a, b } from './m';\nexport const y = b;\n",
  'src/c.ts': "import { a, b } from './m';\nexport const z = a + 1;\n",
  'src/d.ts': "import { a, b } from './m';\nexport const w = b + 1;\n",
};

function itemsFor(file: string): FixItem[] {
  return analyzeFile(file, FILES[file] ?? '', { rules: ['unused-import'] }).candidates.map((candidate) => ({
    candidate,
    changeType: 'remove_unused_import',
    confidence: 0.95,
  }));
}

describe('publishing fix branches', () => {
  const prefix = uniquePrefix('fixpub');
  const redis = connect();
  const runs = new RunStore(redis, prefix);
  const log = pino({ level: 'silent' });
  const ctx = { job: { id: 'test' } as unknown as Job, log };
  let repo: string;
  let remote: string;
  let dataDir: string;
  let sha: string;
  let github: FakeGitHub;
  let gitlab: FakeGitLab;

  beforeAll(async () => {
    repo = await makeRepo(FILES);
    remote = await makeGuardedRemote(repo);
    dataDir = await tempDir();
    sha = await git(repo, 'rev-parse', 'HEAD');
    github = await startFakeGitHub({ token: TOKEN });
    gitlab = await startFakeGitLab({ token: GITLAB_TOKEN });
  });
  afterAll(async () => {
    await github.close();
    await gitlab.close();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(remote);
    await removeDir(dataDir);
  });

  const job = (batchId: string, file: string, publish?: FixJob['repo']['publish']): FixJob => ({
    runId: `run-${batchId}`,
    repo: { path: repo, ...(publish ? { publish } : {}) },
    baseBranch: 'main',
    baseSha: sha,
    batchId,
    files: [{ file, items: itemsFor(file) }],
  });
  const toGitHub = () => ({
    remote: 'origin',
    forge: { kind: 'github' as const, project: 'o/r', apiUrl: github.url },
  });
  const credentials = (name: string) =>
    ({ GITHUB_TOKEN: TOKEN, GITLAB_TOKEN: GITLAB_TOKEN })[name as 'GITHUB_TOKEN'];
  const remoteTip = async (branch: string) =>
    (await git(remote, 'for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`)) || null;

  it('pushes the branch and opens one pull request describing the fix, labelled, never merged', async () => {
    const before = await userState(repo);
    const proposals = new ProposalIndex(redis, prefix);
    const processor = createFixProcessor({ runs, dataDir, credentials, proposals });
    const [result] = await processor(job('gh', 'src/a.ts', toGitHub()), ctx);
    expect(result).toMatchObject({ status: 'committed', verification: { typecheck: 'pass', tests: 'pass' } });
    const branch = result?.branch ?? '';

    expect(await remoteTip(branch)).toBe(result?.commit);
    expect(await git(remote, 'rev-parse', 'main')).toBe(sha);
    expect(github.pulls).toHaveLength(1);
    const pull = github.pulls[0];
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
    expect(pull?.body).toContain(`Rollback ref (the base before the fix): \`${sha}\``);

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
    expect(github.requests.filter((r) => r.path.includes('/merge'))).toEqual([]);
    for (const r of github.requests) {
      expect(r.path).not.toContain(TOKEN);
      expect(r.body).not.toContain(TOKEN);
      expect(JSON.stringify(r.headers)).not.toContain(TOKEN);
    }
    expect(JSON.stringify(await runs.fixResults('run-gh'))).not.toContain(TOKEN);
    // Kept for the gateway: closing this request unmerged marks these findings rejected.
    expect(await proposals.lookup('github', 'o/r', branch)).toEqual({
      repoPath: repo,
      runId: 'run-gh',
      batchId: 'gh',
      candidateIds: result?.candidateIds,
    });
    expect(await userState(repo)).toEqual(before);
  });

  it('a batch re-run after a crash reuses its branch and its pull request', async () => {
    const processor = createFixProcessor({ runs, dataDir, credentials });
    const data = job('gh', 'src/a.ts', toGitHub());
    const opened = github.pulls.length;
    // Forget everything the first attempt recorded, as if the worker died right after proposing.
    await redis.del(`${prefix}:run:{run-gh}:fixes`, `${prefix}:run:{run-gh}:pulls`);
    const [again] = await processor(data, ctx);
    expect(again).toMatchObject({
      status: 'committed',
      reason: 'committed by an earlier attempt of this batch',
    });
    expect(github.pulls).toHaveLength(opened);
    const [record] = await runs.pullRequests('run-gh');
    expect(record).toMatchObject({ status: 'updated', number: github.pulls[0]?.number });
    expect(await git(repo, 'rev-list', '--count', `${sha}..${again?.branch}`)).toBe('1');
  });

  it('never forces: a push the remote rejects as not a fast-forward fails the batch, remote untouched', async () => {
    const processor = createFixProcessor({ runs, dataDir, credentials });
    const data = job('diverged', 'src/b.ts', toGitHub());
    // Someone else's commit already sits on the remote under the name this batch will use.
    const { branchName } = await import('@selfreview/fix/branch');
    const branch = branchName('diverged', ['remove_unused_import']);
    const other = await makeRepo({ 'README.md': 'unrelated\n' });
    try {
      await git(other, 'push', '--quiet', remote, `main:refs/heads/${branch}`);
      const theirs = await remoteTip(branch);
      await expect(processor(data, ctx)).rejects.toThrow(UnrecoverableError);
      expect(await remoteTip(branch)).toBe(theirs);
      const [record] = await runs.pullRequests('run-diverged');
      expect(record?.status).toBe('failed');
      expect(record?.reason).toMatch(/rejected|non-fast-forward/);
      expect(github.pulls.filter((p) => p.head === branch)).toEqual([]);
      // The verified commit is kept locally for a person to look at.
      expect((await runs.fixResults('run-diverged'))[0]).toMatchObject({ status: 'committed', branch });
    } finally {
      await removeDir(other);
    }
  });

  it('without credentials the branch stays local and the record says which variable is missing', async () => {
    const processor = createFixProcessor({ runs, dataDir });
    const [result] = await processor(job('nocreds', 'src/c.ts', toGitHub()), ctx);
    expect(result?.status).toBe('committed');
    expect(await remoteTip(result?.branch ?? '')).toBeNull();
    const [record] = await runs.pullRequests('run-nocreds');
    expect(record).toMatchObject({
      status: 'local_only',
      url: null,
      reason: 'no credentials: GITHUB_TOKEN is not set, so the branch stays local',
    });
  });

  it('publishes nothing when the operator did not ask for it', async () => {
    const processor = createFixProcessor({ runs, dataDir, credentials });
    const [result] = await processor(job('local', 'src/d.ts'), ctx);
    expect(result?.status).toBe('committed');
    expect(await remoteTip(result?.branch ?? '')).toBeNull();
    expect((await runs.pullRequests('run-local'))[0]).toMatchObject({
      status: 'local_only',
      reason: 'publishing not requested: the branch stays in the local repository',
    });
  });

  it('opens a GitLab merge request, with needs-review when the tests could not vouch for it', async () => {
    const noTests = await makeRepo({
      ...FILES,
      'package.json': JSON.stringify({ name: 'demo', private: true }),
    });
    const glRemote = await makeGuardedRemote(noTests);
    try {
      const processor = createFixProcessor({ runs, dataDir, credentials });
      const noTestsSha = await git(noTests, 'rev-parse', 'HEAD');
      const data: FixJob = {
        ...job('gl', 'src/a.ts'),
        repo: {
          path: noTests,
          publish: { remote: 'origin', forge: { kind: 'gitlab', project: 'g/sub/p', apiUrl: gitlab.url } },
        },
        baseSha: noTestsSha,
      };
      const [result] = await processor(data, ctx);
      expect(result).toMatchObject({
        status: 'committed',
        verification: { typecheck: 'pass', tests: 'skipped' },
      });
      expect(gitlab.mergeRequests).toHaveLength(1);
      expect(gitlab.mergeRequests[0]).toMatchObject({
        sourceBranch: result?.branch,
        targetBranch: 'main',
        labels: ['selfreview:needs-review'],
      });
      expect(gitlab.mergeRequests[0]?.description).toContain(
        '- Tests: skipped (the repository has no test command)',
      );
      expect(gitlab.requests.filter((r) => r.path.includes('/merge?') || r.path.endsWith('/merge'))).toEqual(
        [],
      );
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

  it('the git adapter refuses to push anything but a selfreview branch, or to a remote named like an option', async () => {
    const r = await Repository.open(repo);
    await expect(r.pushBranch('origin', 'main', { protectedBranch: 'main' })).rejects.toThrow(
      /refusing branch name/,
    );
    await expect(
      r.pushBranch('--upload-pack=touch /tmp/pwned', 'selfreview/x', { protectedBranch: 'main' }),
    ).rejects.toThrow(/not a remote name/);
    expect(await r.pushBranch('nowhere', 'selfreview/x', { protectedBranch: 'main' })).toEqual({
      ok: false,
      reason: 'refused',
      detail: 'no remote named nowhere',
    });
  });
});
