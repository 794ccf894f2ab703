/**
 * The whole pipeline through the real CLI: three worker processes on a real
 * Redis, a real git repository, a real typecheck. Asserts issue 2's acceptance.
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
import { EXAMPLE, git, makeRepo, removeDir, tempDir, userState } from './helpers/git.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const exec = promisify(execFile);
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc', { paths: [path.dirname(TSX)] });

describe('selfreview run on the example repository', () => {
  let repo: string;
  let dataDir: string;
  let prefix: string;
  let before: Awaited<ReturnType<typeof userState>>;
  let result: Awaited<ReturnType<typeof runCli>>;
  let report: RunReport;

  beforeAll(async () => {
    repo = await makeRepo(EXAMPLE);
    dataDir = await tempDir();
    prefix = uniquePrefix('pipeline');
    before = await userState(repo);
    const reportFile = path.join(dataDir, 'r.json');
    result = await runCli(['run', repo, '--report', reportFile], {
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
    });
    if (result.code !== 0)
      throw new Error(`selfreview run failed (${result.code}): ${result.stderr}${result.stdout}`);
    report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    // A whole run: five processes (the publisher too) starting and working on two shared cores.
  }, 240_000);

  afterAll(async () => {
    const redis = new Redis(testRedisUrl());
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  it('prints the summary table', () => {
    expect(result.stdout).toMatch(/stage\s+result\s+time/);
    expect(result.stdout).toMatch(/^\s+scan\s+5 files, 15 candidates/m);
  });

  it('reports every candidate of the example and a decision for each', () => {
    expect(report.stages.scan).toMatchObject({ files: 5, candidates: 15 });
    const byRule = new Map<string, number>();
    for (const c of report.candidates) byRule.set(c.rule, (byRule.get(c.rule) ?? 0) + 1);
    // The example has no tests, so each of its 7 exported functions is untested.
    expect(Object.fromEntries(byRule)).toEqual({
      'unused-import': 5,
      'todo-comment': 3,
      'untested-export': 7,
    });
    const untested = new Set(report.candidates.filter((c) => c.rule === 'untested-export').map((c) => c.id));
    // The example has no test files at all: adding the first test is a person's decision.
    for (const d of report.decisions.filter((d) => untested.has(d.candidateId))) {
      expect(d).toMatchObject({ verdict: 'defer', reason: 'no_test_setup' });
    }
    expect(report.decisions.map((d) => d.candidateId).sort()).toEqual(
      report.candidates.map((c) => c.id).sort(),
    );
    expect(report.repo).toMatchObject({ path: repo, baseBranch: 'main', baseSha: before.head });
  });

  it('commits the unused-import fixes with the base commit as rollback ref', () => {
    const committed = report.fixes.filter((f) => f.status === 'committed');
    expect(committed.map((f) => f.file).sort()).toEqual(['src/cart.ts', 'src/index.ts', 'src/report.ts']);
    for (const f of committed) {
      expect(f.change_type).toBe('remove_unused_import');
      expect(f.rollback_ref).toBe(before.head);
      expect(f.verification.typecheck).toBe('pass');
      expect(f.verification.tests).toBe('skipped');
    }
    expect(report.stages.fix).toMatchObject({ batches: 2, committed: 3, failed: 0, carriedOver: 1 });
  });

  it('gives each branch exactly one new commit touching at most 2 files, which typechecks', async () => {
    const branches = [...new Set(report.fixes.map((f) => f.branch).filter((b): b is string => b !== null))];
    expect(branches).toHaveLength(2);
    for (const branch of branches) {
      expect(await git(repo, 'rev-list', '--count', `${before.head}..${branch}`)).toBe('1');
      const files = (await git(repo, 'diff', '--name-only', before.head, branch)).split('\n');
      expect(files.length).toBeLessThanOrEqual(2);
      expect(await git(repo, 'log', '-1', '--format=%B', branch)).toContain(`Rollback-Ref: ${before.head}`);
      const wt = await tempDir();
      await git(repo, 'worktree', 'add', '--detach', wt, branch);
      try {
        await exec(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.json'], { cwd: wt });
      } finally {
        await git(repo, 'worktree', 'remove', '--force', wt);
      }
    }
  });

  it('removes exactly the unused bindings', async () => {
    const branch = report.fixes.find((f) => f.file === 'src/cart.ts')?.branch ?? '';
    const cart = await git(repo, 'show', `${branch}:src/cart.ts`);
    expect(cart.split('\n').slice(0, 4)).toEqual([
      "import './polyfill';",
      "import format, { add, ZERO } from './money';",
      "import type { Money } from './money';",
      '',
    ]);
  });

  it('drops the planned TODOs and never queues them', () => {
    const planned = report.decisions.filter((d) => d.todoClass === 'planned');
    expect(planned).toHaveLength(2);
    for (const d of planned) expect(d).toMatchObject({ verdict: 'drop', reason: 'planned_todo' });
    const actionable = report.decisions.find((d) => d.todoClass === 'actionable');
    expect(actionable).toMatchObject({
      verdict: 'fix',
      reason: 'actionable_todo',
      changeType: 'resolve_todo',
    });
    // Queued, and without a model it waits in the fix stage rather than failing there.
    const waiting = report.fixes.find((f) => f.candidateIds.includes(actionable?.candidateId ?? ''));
    expect(waiting).toMatchObject({ status: 'carried_over', change_type: 'resolve_todo', commit: null });
    expect(waiting?.reason).toMatch(/^needs_llm/);
  });

  it('never makes the side-effect import a candidate', () => {
    expect(report.candidates.some((c) => c.message.includes('polyfill'))).toBe(false);
  });

  it("leaves the user's branch, working tree and index unchanged", async () => {
    expect(await userState(repo)).toEqual(before);
    expect(await git(repo, 'worktree', 'list', '--porcelain')).not.toContain(dataDir);
  });
});

describe('selfreview run with no PATH', () => {
  it('copies the bundled example to a temporary folder and fixes it', async () => {
    const dataDir = await tempDir();
    const prefix = uniquePrefix('example');
    const reportFile = path.join(dataDir, 'r.json');
    try {
      const res = await runCli(['run', '--report', reportFile], {
        REDIS_URL: testRedisUrl(),
        SELFREVIEW_PREFIX: prefix,
        SELFREVIEW_DATA_DIR: dataDir,
      });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('running on the bundled example');
      const report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
      expect(report.stages.fix.committed).toBeGreaterThanOrEqual(1);
      expect(report.repo.path).not.toBe(EXAMPLE.replace(/\/$/, ''));
      await removeDir(report.repo.path);
    } finally {
      const redis = new Redis(testRedisUrl());
      await cleanPrefix(redis, prefix);
      redis.disconnect();
      await removeDir(dataDir);
    }
  });
});
