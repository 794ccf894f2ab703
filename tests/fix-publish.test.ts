/**
 * Publishing fix branches: the fix worker commits and hands the verified commit to the
 * publisher, which alone holds the token and the publish settings. Pushed fast-forward only to
 * a remote guarded like a hosted one, proposed through the real GitHub and GitLab clients
 * against loopback servers, never merged, never proposed twice when a batch is re-run after a
 * crash, and never published where job data says.
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createFixProcessor } from '@selfreview/fix/processor';
import {
  createPublishProcessor,
  noPublishing,
  type Resolver,
  runSettingsResolver,
  serverConfigResolver,
} from '@selfreview/fix/publisher';
import { analyzeFile } from '@selfreview/scan/analyze';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { ProposalIndex } from '@selfreview/shared/proposals';
import { type FixJob, type PublishJob, publishJobId } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import { parseServerConfig } from '@selfreview/shared/server-config';
import { parsePayload } from '@selfreview/shared/worker';
import { Repository } from '@selfreview/shared/workspace';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixItem } from './helpers/factories.ts';
import { type FakeGitHub, startFakeGitHub } from './helpers/fake-github.ts';
import { type FakeGitLab, startFakeGitLab } from './helpers/fake-gitlab.ts';
import { git, makeGuardedRemote, makeRepo, removeDir, tempDir, userState } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const exec = promisify(execFile);
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
  'src/e.ts': "import { a, b } from './m';\nexport const v = a + 2;\n",
  'src/f.ts': "import { a, b } from './m';\nexport const u = b + 2;\n",
  'src/g.ts': "import { a, b } from './m';\nexport const t = a + 3;\n",
};

function itemsFor(file: string): FixItem[] {
  return analyzeFile(file, FILES[file] ?? '', { rules: ['unused-import'] }).candidates.map((candidate) =>
    fixItem(candidate, { confidence: 0.95 }),
  );
}

describe('publishing fix branches', () => {
  const prefix = uniquePrefix('fixpub');
  const redis = connect();
  const runs = new RunStore(redis, prefix);
  const lifecycle = new RunLifecycle(redis, prefix);
  const log = pino({ level: 'silent' });
  const ctx = { job: { id: 'test' } as unknown as Job, log };
  let repo: string;
  let remote: string;
  let dataDir: string;
  let sha: string;
  let github: FakeGitHub;
  let gitlab: FakeGitLab;
  /** What the fix worker handed to the publisher, in order. */
  const handed: PublishJob[] = [];

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

  const job = (batchId: string, file: string): FixJob => ({
    runId: `run-${batchId}`,
    repo: { path: repo },
    baseBranch: 'main',
    baseSha: sha,
    batchId,
    files: [{ file, items: itemsFor(file) }],
  });
  const toGitHub = (over: { repoPath?: string } = {}): Resolver =>
    runSettingsResolver({
      repoPath: over.repoPath ?? repo,
      baseBranch: 'main',
      remote: 'origin',
      forge: { kind: 'github', project: 'o/r', apiUrl: github.url },
    });
  const credentials = (name: string): string | undefined =>
    ({ GITHUB_TOKEN: TOKEN, GITLAB_TOKEN: GITLAB_TOKEN })[name as 'GITHUB_TOKEN'];
  const remoteTip = async (branch: string) =>
    (await git(remote, 'for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`)) || null;
  const fixer = () =>
    createFixProcessor({
      runs,
      lifecycle,
      dataDir,
      publish: async (j) => {
        handed.push(j);
      },
    });
  const publisher = (resolve: Resolver, creds = credentials, proposals?: ProposalIndex) =>
    createPublishProcessor({
      runs,
      lifecycle,
      resolve,
      credentials: creds,
      ...(proposals ? { proposals } : {}),
    });
  const handedFor = (batchId: string) => {
    const found = handed.filter((j) => j.batchId === batchId).at(-1);
    if (!found) throw new Error(`batch ${batchId} was not handed to the publisher`);
    return found;
  };

  it('the fix worker hands over only the verified commit: no settings, no token', async () => {
    const [result] = await fixer()(job('handover', 'src/g.ts'), ctx);
    expect(result?.status).toBe('committed');
    const handedJob = handedFor('handover');
    expect(Object.keys(handedJob).sort()).toEqual(
      ['baseBranch', 'baseSha', 'batchId', 'branch', 'commit', 'items', 'repo', 'runId'].sort(),
    );
    expect(handedJob).toMatchObject({ branch: result?.branch, commit: result?.commit, repo: { path: repo } });
    // Open in the run until the publisher is done with it: the run is not over before that.
    expect(await redis.smembers(`${prefix}:run:{run-handover}:open:publish`)).toEqual([
      publishJobId('handover'),
    ]);
    await publisher(noPublishing)(handedJob, ctx);
    expect(await redis.smembers(`${prefix}:run:{run-handover}:open:publish`)).toEqual([]);
  });

  it('pushes the branch and opens one pull request describing the fix, labelled, never merged', async () => {
    const before = await userState(repo);
    const proposals = new ProposalIndex(redis, prefix);
    const [result] = await fixer()(job('gh', 'src/a.ts'), ctx);
    expect(result).toMatchObject({ status: 'committed', verification: { typecheck: 'pass', tests: 'pass' } });
    const branch = result?.branch ?? '';
    // Nothing left the host before the publisher took the batch.
    expect(await remoteTip(branch)).toBeNull();
    expect(github.requests).toEqual([]);
    await publisher(toGitHub(), credentials, proposals)(handedFor('gh'), ctx);

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
    const data = job('gh', 'src/a.ts');
    const opened = github.pulls.length;
    // Forget everything the first attempt recorded, as if the worker died right after proposing.
    await redis.del(`${prefix}:run:{run-gh}:fixes`, `${prefix}:run:{run-gh}:pulls`);
    const [again] = await fixer()(data, ctx);
    expect(again).toMatchObject({
      status: 'committed',
      reason: 'committed by an earlier attempt of this batch',
    });
    await publisher(toGitHub())(handedFor('gh'), ctx);
    expect(github.pulls).toHaveLength(opened);
    const [record] = await runs.pullRequests('run-gh');
    expect(record).toMatchObject({ status: 'updated', number: github.pulls[0]?.number });
    expect(await git(repo, 'rev-list', '--count', `${sha}..${again?.branch}`)).toBe('1');
    // Handed over again the same job is a no-op for the publisher.
    const requests = github.requests.length;
    expect(await publisher(toGitHub())(handedFor('gh'), ctx)).toMatchObject({ status: 'updated' });
    expect(github.requests.length).toBe(requests);
  });

  it('never forces: a push the remote rejects as not a fast-forward fails for good, remote untouched', async () => {
    // Someone else's commit already sits on the remote under the name this batch will use.
    const { branchName } = await import('@selfreview/fix/branch');
    const branch = branchName('diverged', ['remove_unused_import']);
    const other = await makeRepo({ 'README.md': 'unrelated\n' });
    try {
      await git(other, 'push', '--quiet', remote, `main:refs/heads/${branch}`);
      const theirs = await remoteTip(branch);
      await fixer()(job('diverged', 'src/b.ts'), ctx);
      await expect(publisher(toGitHub())(handedFor('diverged'), ctx)).rejects.toThrow(UnrecoverableError);
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
    const [result] = await fixer()(job('nocreds', 'src/c.ts'), ctx);
    expect(result?.status).toBe('committed');
    await publisher(toGitHub(), () => undefined)(handedFor('nocreds'), ctx);
    expect(await remoteTip(result?.branch ?? '')).toBeNull();
    const [record] = await runs.pullRequests('run-nocreds');
    expect(record).toMatchObject({
      status: 'local_only',
      url: null,
      reason: 'no credentials: GITHUB_TOKEN is not set, so the branch stays local',
    });
  });

  it('publishes nothing when the operator did not ask for it', async () => {
    const [result] = await fixer()(job('local', 'src/d.ts'), ctx);
    expect(result?.status).toBe('committed');
    await publisher(noPublishing)(handedFor('local'), ctx);
    expect(await remoteTip(result?.branch ?? '')).toBeNull();
    expect((await runs.pullRequests('run-local'))[0]).toMatchObject({
      status: 'local_only',
      reason: 'publishing not requested: the branch stays in the local repository',
    });
  });

  it('an edited job cannot publish: settings in job data are dropped, the token goes nowhere', async () => {
    const attacker = await startFakeGitHub();
    try {
      const edited = parsePayload('fix', {
        ...job('edited', 'src/e.ts'),
        repo: {
          path: repo,
          publish: {
            remote: 'origin',
            forge: { kind: 'github', project: 'evil/loot', apiUrl: attacker.url },
            tokenEnv: 'GITHUB_TOKEN',
          },
        },
      });
      expect(edited.repo).toEqual({ path: repo });
      await fixer()(edited, ctx);
      const handedJob = parsePayload('publish', {
        ...handedFor('edited'),
        apiUrl: attacker.url,
        tokenEnv: 'GITHUB_TOKEN',
        repo: {
          path: repo,
          publish: { forge: { kind: 'github', project: 'evil/loot', apiUrl: attacker.url } },
        },
      });
      expect(JSON.stringify(handedJob)).not.toContain(attacker.url);
      // The publisher has the token and no settings for this run: it keeps the branch local.
      await publisher(noPublishing)(handedJob, ctx);
      expect(attacker.requests).toEqual([]);
      expect((await runs.pullRequests('run-edited'))[0]).toMatchObject({ status: 'local_only' });
    } finally {
      await attacker.close();
    }
  });

  it('server mode: settings by repository name, from the configured repository only', async () => {
    const config = parseServerConfig(
      [
        'repositories:',
        '  - name: demo',
        `    path: ${repo}`,
        '    branch: main',
        '    publish:',
        `      forge: { kind: github, project: o/r, apiUrl: "${github.url}" }`,
        '  - name: quiet',
        `    path: ${repo}`,
        '',
      ].join('\n'),
      'server.yaml',
    );
    const resolve = serverConfigResolver(config, dataDir);
    const [result] = await fixer()({ ...job('byname', 'src/f.ts'), repo: { path: repo, name: 'demo' } }, ctx);
    await publisher(resolve)(handedFor('byname'), ctx);
    expect((await runs.pullRequests('run-byname'))[0]).toMatchObject({ status: 'opened', forge: 'github' });
    expect(await remoteTip(result?.branch ?? '')).toBe(result?.commit);

    const handedJob = handedFor('byname');
    for (const [name, reason] of [
      ['quiet', 'publishing not requested: the branch stays in the local repository'],
      ['stranger', 'repository stranger is not in the server configuration: the branch stays local'],
    ] as const) {
      const runId = `run-byname-${name}`;
      await runs.putFixResults(runId, await runs.fixResults('run-byname'));
      await publisher(resolve)({ ...handedJob, runId, repo: { path: repo, name } }, ctx);
      expect((await runs.pullRequests(runId))[0]).toMatchObject({ status: 'local_only', reason });
    }

    // A job naming the configured repository but another folder, where the branch holds a
    // commit that looks like the batch's: the publisher opens the configured repository, where
    // the branch is not at that commit, and publishes nothing.
    const elsewhere = await tempDir();
    try {
      await exec('git', ['clone', '--quiet', repo, elsewhere]);
      await git(elsewhere, 'checkout', '--quiet', '-b', handedJob.branch);
      await git(
        elsewhere,
        '-c',
        'user.name=x',
        '-c',
        'user.email=x@localhost',
        'commit',
        '--quiet',
        '--allow-empty',
        '-m',
        'not ours\n\nSelfreview-Batch: byname',
      );
      const forgedCommit = await git(elsewhere, 'rev-parse', 'HEAD');
      const runId = 'run-byname-elsewhere';
      await runs.putFixResults(
        runId,
        (await runs.fixResults('run-byname')).map((r) => ({ ...r, commit: forgedCommit })),
      );
      const forged = { ...handedJob, runId, commit: forgedCommit, repo: { path: elsewhere, name: 'demo' } };
      await expect(publisher(resolve)(forged, ctx)).rejects.toThrow(/not at the verified commit/);
      expect(await remoteTip(handedJob.branch)).toBe(result?.commit);
    } finally {
      await removeDir(elsewhere);
    }
  });

  it('the token only goes to the forge host: a remote rewritten to another host gets nothing', async () => {
    const [result] = await fixer()(job('rewired', 'src/e.ts'), ctx);
    const r = await Repository.open(repo);
    await git(repo, 'remote', 'add', 'rewired', 'https://collector.invalid/o/r.git');
    try {
      const resolve = runSettingsResolver({
        repoPath: repo,
        baseBranch: 'main',
        remote: 'rewired',
        forge: { kind: 'github', project: 'o/r', apiUrl: github.url },
      });
      const requests = github.requests.length;
      await expect(publisher(resolve)(handedFor('rewired'), ctx)).rejects.toThrow(UnrecoverableError);
      const [record] = await runs.pullRequests('run-rewired');
      expect(record?.status).toBe('failed');
      expect(record?.reason).toBe(
        "remote rewired is not on the forge's host (127.0.0.1): the token is not sent to collector.invalid",
      );
      expect(github.requests.length).toBe(requests);
      expect(await r.resolveBranch(result?.branch ?? '')).toBe(result?.commit);
    } finally {
      await git(repo, 'remote', 'remove', 'rewired');
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
        forge: { kind: 'gitlab', project: 'g/sub/p', apiUrl: gitlab.url },
      });
      await publisher(resolve)(handedFor('gl'), ctx);
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
