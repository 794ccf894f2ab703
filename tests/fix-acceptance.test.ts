/**
 * Issue 5's acceptance, through the real CLI: `selfreview run --forge …` on a repository with
 * fixable findings, a guarded bare remote (no pushes to the default branch, no non-fast-forward
 * pushes) and a loopback GitHub. Every committed fix typechecks and passes the repository's
 * tests on its own branch, is proposed once and never merged, and `selfreview rollback`
 * restores the base exactly.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { RunReport } from '@selfreview/shared/schemas';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TSX } from './helpers/cli.ts';
import { type FakeGitHub, startFakeGitHub } from './helpers/fake-github.ts';
import { git, makeGuardedRemote, makeRepo, removeDir, tempDir, userState } from './helpers/git.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const exec = promisify(execFile);
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc', { paths: [path.dirname(TSX)] });
const TOKEN = 'ghp_acceptanceLoopbackToken0123456789abc';

/** Three files with findings each codemod fixes; b.ts uses `add` without importing it. */
const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, types: [] },
    include: ['src'],
  }),
  'package.json': JSON.stringify({ name: 'accept', private: true, scripts: { test: 'node test/check.cjs' } }),
  'test/check.cjs': [
    "const fs = require('node:fs');",
    "if (!fs.readFileSync('src/math.ts', 'utf8').includes('export function add')) process.exit(1);",
    '',
  ].join('\n'),
  'src/math.ts': [
    'export function add(a: number, b: number): number {',
    '  return a + b;',
    '}',
    'export function sub(a: number, b: number): number {',
    '  return a - b;',
    '}',
    '',
  ].join('\n'),
  'src/a.ts': [
    "import { add, sub } from './math';",
    '',
    'export function total(xs: number[]): number {',
    '  const unusedCount = 0;',
    '  return xs.reduce((s, x) => add(s, x), 0);',
    '}',
    '',
  ].join('\n'),
  'src/b.ts': 'export const three = add(1, 2);\n',
  'src/c.ts': "import { sub } from './math';\nexport const c = 1;\n",
};

describe('selfreview run proposes verified, reversible fixes', () => {
  let repo: string;
  let remote: string;
  let dataDir: string;
  let prefix: string;
  let github: FakeGitHub;
  let before: Awaited<ReturnType<typeof userState>>;
  let base: string;
  let report: RunReport;
  let stdout: string;

  beforeAll(async () => {
    repo = await makeRepo(FILES);
    remote = await makeGuardedRemote(repo);
    dataDir = await tempDir();
    prefix = uniquePrefix('accept');
    github = await startFakeGitHub({ token: TOKEN });
    before = await userState(repo);
    base = before.head;
    const reportFile = path.join(dataDir, 'r.json');
    const result = await runCli(
      ['run', repo, '--report', reportFile, '--forge', 'github:o/r', '--forge-url', github.url],
      {
        REDIS_URL: testRedisUrl(),
        SELFREVIEW_PREFIX: prefix,
        SELFREVIEW_DATA_DIR: dataDir,
        GITHUB_TOKEN: TOKEN,
      },
    );
    if (result.code !== 0)
      throw new Error(`selfreview run failed (${result.code}): ${result.stderr}${result.stdout}`);
    stdout = result.stdout;
    report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
  });

  afterAll(async () => {
    await github.close();
    const redis = new Redis(testRedisUrl());
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(remote);
    await removeDir(dataDir);
  });

  const committedBranches = () => [
    ...new Set(report.fixes.filter((f) => f.status === 'committed').map((f) => f.branch as string)),
  ];

  it('commits every finding apply queued, of each deterministic kind, and fails none', () => {
    const queued = report.decisions.filter((d) => d.verdict === 'fix');
    expect([...new Set(queued.map((d) => d.changeType))].sort()).toEqual([
      'add_missing_import',
      'remove_unused_import',
      'remove_unused_local',
    ]);
    const fixed = report.fixes.filter((f) => f.status === 'committed').flatMap((f) => f.candidateIds);
    expect(fixed.sort()).toEqual(queued.map((d) => d.candidateId).sort());
    expect(report.fixes.filter((f) => f.status !== 'committed')).toEqual([]);
    expect(committedBranches()).toHaveLength(2);
  });

  it('every committed fix typechecks with no new diagnostic and passes the tests on its own branch', async () => {
    const baseErrors = await typecheckAt(repo, base, dataDir);
    expect(baseErrors).toEqual(["src/b.ts: error TS2304: Cannot find name 'add'."]);
    for (const branch of committedBranches()) {
      const errors = await typecheckAt(repo, branch, dataDir);
      for (const e of errors) expect(baseErrors).toContain(e);
      expect(await testsPassAt(repo, branch, dataDir)).toBe(true);
    }
  });

  it('pushes each branch and opens one pull request per batch, labelled, never merged', async () => {
    expect(await git(remote, 'rev-parse', 'main')).toBe(base);
    const branches = committedBranches();
    for (const branch of branches) {
      const tip = await git(repo, 'rev-parse', `refs/heads/${branch}`);
      expect(await git(remote, 'rev-parse', `refs/heads/${branch}`)).toBe(tip);
    }
    expect(github.pulls.map((p) => p.head).sort()).toEqual([...branches].sort());
    expect(report.pullRequests.map((p) => p.status)).toEqual(['opened', 'opened']);
    for (const p of report.pullRequests) {
      expect(p.url).toBe(github.pulls.find((g) => g.head === p.branch)?.htmlUrl);
      expect(p.labels).toHaveLength(1);
      expect(['selfreview:auto-mergeable', 'selfreview:needs-review']).toContain(p.labels[0]);
    }
    expect(github.requests.filter((r) => r.path.includes('/merge'))).toEqual([]);
    expect(stdout).toContain('Pull requests:');
    expect(await userState(repo)).toEqual(before);
  });

  it('selfreview rollback restores the base exactly: unmerged by deleting, merged by a revert to the base tree', async () => {
    const [first, second] = report.pullRequests;
    // One fix gets merged (as a reviewer would), the other stays a proposal.
    await git(repo, 'merge', '--quiet', '--ff-only', first?.branch ?? '');
    const env = { REDIS_URL: testRedisUrl(), SELFREVIEW_PREFIX: prefix };
    const undoMerged = await runCli(['rollback', first?.batchId ?? '', '--repo', repo], env);
    expect(undoMerged.code).toBe(0);
    const revertBranch = /made branch (selfreview\/revert-[0-9a-f]+)/.exec(undoMerged.stdout)?.[1] ?? '';
    expect(await git(repo, 'rev-parse', `${revertBranch}^{tree}`)).toBe(
      await git(repo, 'rev-parse', `${base}^{tree}`),
    );

    const undoOpen = await runCli(['rollback', second?.batchId ?? '', '--repo', repo], env);
    expect(undoOpen.code).toBe(0);
    expect(undoOpen.stdout).toContain(`Deleted branch ${second?.branch}`);
    expect(await git(repo, 'branch', '--list', second?.branch ?? '')).toBe('');
  });
});

/** Diagnostics of the project at `rev`, as `file: error TSnnnn: message`, in a throwaway worktree. */
async function typecheckAt(repo: string, rev: string, scratch: string): Promise<string[]> {
  return inWorktree(repo, rev, scratch, async (dir) => {
    const run = await exec(process.execPath, [TSC, '--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'], {
      cwd: dir,
    }).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
    return run.stdout
      .split('\n')
      .filter((l) => l.includes('error TS'))
      .map((l) => l.replace(/\(\d+,\d+\)/, ''));
  });
}

async function testsPassAt(repo: string, rev: string, scratch: string): Promise<boolean> {
  return inWorktree(repo, rev, scratch, async (dir) =>
    exec('npm', ['test', '--silent'], { cwd: dir }).then(
      () => true,
      () => false,
    ),
  );
}

async function inWorktree<T>(
  repo: string,
  rev: string,
  scratch: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = path.join(scratch, `check-${Math.random().toString(36).slice(2)}`);
  await git(repo, 'worktree', 'add', '--quiet', '--detach', dir, rev);
  try {
    return await fn(dir);
  } finally {
    await git(repo, 'worktree', 'remove', '--force', dir);
  }
}
