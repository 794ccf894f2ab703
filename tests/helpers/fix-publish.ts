/**
 * Fix branches published from a fixture repository: the fix worker (its processor) commits and
 * hands each verified batch to the publisher, which pushes to a local remote guarded like a hosted
 * one and proposes through the real GitHub and GitLab clients against loopback servers.
 */
import { createFixProcessor } from '@selfreview/fix/processor';
import { createPublishProcessor, type Resolver, runSettingsResolver } from '@selfreview/fix/publisher';
import { analyzeFile } from '@selfreview/scan/analyze';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import type { ProposalIndex } from '@selfreview/shared/proposals';
import type { FixJob, PublishJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { fixItem } from './factories.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';
import { type FakeGitLab, startFakeGitLab } from './fake-gitlab.ts';
import { git, makeGuardedRemote, makeRepo, removeDir, tempDir } from './git.ts';
import { cleanPrefix, connect, uniquePrefix } from './redis.ts';

export const TOKEN = 'ghp_loopbackTestToken0123456789abcdefABCD';
export const GITLAB_TOKEN = 'glpat-loopbackTestToken0123';

export const FILES: Record<string, string> = {
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

/**
 * The publishing set-up of the calling describe block: the fixture repository with its guarded
 * remote, a loopback GitHub and GitLab that take only their token, and the fix and publish
 * processors. `repo`, `remote`, `dataDir`, `sha`, `github` and `gitlab` are there once beforeAll
 * has run; `job(batchId, file)` is a batch of its own run, `run-<batchId>`.
 */
export function publishTestBed() {
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

  return {
    prefix,
    redis,
    runs,
    ctx,
    job,
    toGitHub,
    credentials,
    remoteTip,
    fixer,
    publisher,
    handedFor,
    get repo() {
      return repo;
    },
    get remote() {
      return remote;
    },
    get dataDir() {
      return dataDir;
    },
    get sha() {
      return sha;
    },
    get github() {
      return github;
    },
    get gitlab() {
      return gitlab;
    },
  };
}
