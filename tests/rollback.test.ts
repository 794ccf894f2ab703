/** `selfreview rollback` on real repositories: delete an unmerged fix, revert a merged one without rewriting history. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Repository } from '@selfreview/shared/workspace';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { git, makeRepo, removeDir, userState } from './helpers/git.ts';

const ORIGINAL = "import { a, b } from './m';\nexport const x = a;\n";
const FIXED = "import { a } from './m';\nexport const x = a;\n";

/** A repository with a fix branch whose one commit looks like fix's (trailers included). */
async function repoWithFix(): Promise<{ dir: string; base: string; fix: string; branch: string }> {
  const dir = await makeRepo({
    'src/a.ts': ORIGINAL,
    'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
  });
  const base = await git(dir, 'rev-parse', 'HEAD');
  const branch = 'selfreview/remove-unused-imports-0123456789';
  await git(dir, 'checkout', '--quiet', '-b', branch);
  await writeFile(path.join(dir, 'src/a.ts'), FIXED);
  await git(dir, 'add', 'src/a.ts');
  const message = `selfreview: remove unused imports\n\nSelfreview-Batch: run-1-b-1\nSelfreview-Run: run-1\nRollback-Ref: ${base}\n`;
  await git(
    dir,
    '-c',
    'user.name=selfreview',
    '-c',
    'user.email=s@localhost',
    'commit',
    '--quiet',
    '-m',
    message,
  );
  const fix = await git(dir, 'rev-parse', 'HEAD');
  await git(dir, 'checkout', '--quiet', 'main');
  return { dir, base, fix, branch };
}

describe('selfreview rollback', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await removeDir(d);
  });

  it('deletes the branch of a fix that was never merged, and nothing else', async () => {
    const { dir, branch, fix } = await repoWithFix();
    dirs.push(dir);
    const before = await userState(dir);
    const res = await runCli(['rollback', branch, '--repo', dir], {});
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `Deleted branch ${branch}: the fix (${fix.slice(0, 7)}) was never merged into main`,
    );
    expect(await git(dir, 'branch', '--list', 'selfreview/*')).toBe('');
    expect(await userState(dir)).toEqual(before);
  });

  it('reverts a merged fix on a new branch, leaving main and the working tree as they were', async () => {
    const { dir, fix } = await repoWithFix();
    dirs.push(dir);
    await git(dir, 'merge', '--quiet', '--ff-only', 'selfreview/remove-unused-imports-0123456789');
    const before = await userState(dir);
    const res = await runCli(['rollback', fix.slice(0, 10), '--repo', dir], {});
    expect(res.code).toBe(0);
    const revertBranch = `selfreview/revert-${fix.slice(0, 10)}`;
    expect(res.stdout).toContain(`made branch ${revertBranch}`);
    // main is untouched (no reset, no commit on it); the revert branch restores the file.
    expect(await userState(dir)).toEqual(before);
    expect(await readFile(path.join(dir, 'src/a.ts'), 'utf8')).toBe(FIXED);
    expect(`${await git(dir, 'show', `${revertBranch}:src/a.ts`)}\n`).toBe(ORIGINAL);
    expect(await git(dir, 'rev-list', '--count', `main..${revertBranch}`)).toBe('1');
    // A second rollback says the revert already exists instead of making another.
    const again = await runCli(['rollback', fix.slice(0, 10), '--repo', dir], {});
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('takes the fix id (batch id) from the report: deletes the unmerged branch, reverts once merged', async () => {
    const first = await repoWithFix();
    dirs.push(first.dir);
    const unknown = await runCli(['rollback', 'run-1-b-10', '--repo', first.dir], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(`selfreview: no selfreview fix with id "run-1-b-10" in ${first.dir}`);
    const deleted = await runCli(['rollback', 'run-1-b-1', '--repo', first.dir], {});
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`Deleted branch ${first.branch}`);
    expect(await git(first.dir, 'branch', '--list', 'selfreview/*')).toBe('');

    const second = await repoWithFix();
    dirs.push(second.dir);
    await git(second.dir, 'merge', '--quiet', '--ff-only', second.branch);
    await git(second.dir, 'branch', '-D', second.branch);
    const reverted = await runCli(['rollback', 'run-1-b-1', '--repo', second.dir], {});
    expect(reverted.code).toBe(0);
    const revertBranch = `selfreview/revert-${second.fix.slice(0, 10)}`;
    expect(reverted.stdout).toContain(`made branch ${revertBranch}`);
    expect(`${await git(second.dir, 'show', `${revertBranch}:src/a.ts`)}\n`).toBe(ORIGINAL);
  });

  it('refuses what is not a fix, in one line', async () => {
    const { dir, base } = await repoWithFix();
    dirs.push(dir);
    const notFix = await runCli(['rollback', base, '--repo', dir], {});
    expect(notFix.code).toBe(2);
    expect(notFix.stderr.trim()).toMatch(/^selfreview: .* is not a selfreview fix commit/);
    const nothing = await runCli(['rollback', 'selfreview/nope', '--repo', dir], {});
    expect(nothing.code).toBe(2);
    expect(nothing.stderr.trim()).toMatch(/^selfreview: no branch "selfreview\/nope"/);
    const option = await runCli(['rollback', '--', '--force', '--repo', dir], {});
    expect(option.code).toBe(2);
  });

  it('answers ancestry and branch questions from git, also when git prints nothing', async () => {
    const { dir, base, fix, branch } = await repoWithFix();
    dirs.push(dir);
    const repo = await Repository.open(dir);
    expect(await repo.isAncestor(base, fix)).toBe(true);
    expect(await repo.isAncestor(fix, base)).toBe(false);
    expect(await repo.branchExists(branch)).toBe(true);
    expect(await repo.branchExists('selfreview/missing')).toBe(false);
    expect(await repo.resolveCommit(fix.slice(0, 8))).toBe(fix);
    expect(await repo.resolveCommit('--all')).toBeNull();
    expect(await repo.selfreviewBranchesContaining(fix)).toEqual([branch]);
  });
});
