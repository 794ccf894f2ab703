/**
 * The git adapter's worktrees on `selfreview/*` branches, on real temporary repositories: made
 * at a commit, committed to without the repository's hooks, diffed and restored, pruned and
 * removed, with branch names other than `selfreview/*` refused and the user's own checkout
 * (HEAD, branch, status, index) never touched.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitError } from '@selfreview/shared/errors';
import { describe, expect, it } from 'vitest';
import { git, userState } from './helpers/git.ts';
import { FILES, workspaceTestBed } from './helpers/workspace.ts';

const { scratch, repoWith } = workspaceTestBed();

/** The repository's worktree folders as git lists them, its own checkout first. */
async function worktreeDirs(dir: string): Promise<string[]> {
  return (await git(dir, 'worktree', 'list', '--porcelain'))
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
}

describe('worktrees and branches', () => {
  it('addWorktree makes the branch at the commit and the folder, and fails if the branch exists', async () => {
    const { dir, repo } = await repoWith();
    const before = await userState(dir);
    const sha = before.head;
    const root = await scratch();
    const wtDir = path.join(root, 'nested', 'wt1');

    const wt = await repo.addWorktree(wtDir, sha, 'selfreview/test-1');
    expect(wt.dir).toBe(wtDir);
    expect(wt.branch).toBe('selfreview/test-1');
    expect(wt.baseSha).toBe(sha);
    expect(existsSync(path.join(wtDir, 'src/a.ts'))).toBe(true);
    expect(await readFile(path.join(wtDir, 'dir with space/file name.ts'), 'utf8')).toBe(
      FILES['dir with space/file name.ts'],
    );
    expect(await git(dir, 'rev-parse', 'refs/heads/selfreview/test-1')).toBe(sha);
    expect(await git(wtDir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('selfreview/test-1');
    expect(await repo.branchExists('selfreview/test-1')).toBe(true);
    expect(await repo.resolveBranch('selfreview/test-1')).toBe(sha);
    expect(await repo.resolveBranch('selfreview/none')).toBeNull();
    expect(await worktreeDirs(dir)).toContain(wtDir);

    const again = path.join(root, 'wt2');
    await expect(repo.addWorktree(again, sha, 'selfreview/test-1')).rejects.toBeInstanceOf(GitError);
    expect(await worktreeDirs(dir)).not.toContain(again);

    await repo.removeWorktree(wtDir);
    expect(await userState(dir)).toEqual(before);
  });

  it('addWorktree refuses other branch names, non-hex commits and relative folders', async () => {
    const { dir, repo } = await repoWith();
    const before = await userState(dir);
    const { sha } = await repo.head();
    const root = await scratch();

    for (const branch of [
      'main',
      'feature/x',
      'selfreview',
      'selfreview/',
      'selfreview/a..b',
      '-D',
      'x/selfreview/y',
    ]) {
      await expect(repo.addWorktree(path.join(root, 'wt'), sha, branch)).rejects.toBeInstanceOf(GitError);
    }
    for (const bad of ['HEAD', 'main', sha.slice(0, 12), 'Z'.repeat(40), `${sha} `]) {
      await expect(repo.addWorktree(path.join(root, 'wt'), bad, 'selfreview/ok')).rejects.toBeInstanceOf(
        GitError,
      );
    }
    await expect(repo.addWorktree('relative/wt', sha, 'selfreview/ok')).rejects.toBeInstanceOf(GitError);

    expect(existsSync(path.join(root, 'wt'))).toBe(false);
    expect(await repo.listSelfreviewBranches()).toEqual([]);
    expect(await worktreeDirs(dir)).toEqual([dir]);
    expect(await userState(dir)).toEqual(before);
  });

  it('commit stages only the named files, as selfreview, without running the repository hooks', async () => {
    const { dir, repo } = await repoWith();
    const { sha } = await repo.head();
    const root = await scratch();
    const marker = path.join(root, 'hook-ran');
    for (const hook of ['pre-commit', 'commit-msg']) {
      const file = path.join(dir, '.git', 'hooks', hook);
      await writeFile(file, `#!/bin/sh\necho ${hook} >> '${marker}'\nexit 1\n`);
      await chmod(file, 0o755);
    }
    const before = await userState(dir);

    const wtDir = path.join(root, 'wt');
    const wt = await repo.addWorktree(wtDir, sha, 'selfreview/commit-test');
    await writeFile(path.join(wtDir, 'src/a.ts'), 'export const a = 1;\n');
    await writeFile(path.join(wtDir, 'dir with space/new file.ts'), 'export {};\n');
    await writeFile(path.join(wtDir, 'extra.txt'), 'left alone\n');

    // The hooks are live: a plain `git commit` in this worktree is stopped by them.
    await expect(
      git(wtDir, '-c', 'user.name=t', '-c', 'user.email=t@l', 'commit', '--allow-empty', '-m', 'x'),
    ).rejects.toThrow();
    expect(existsSync(marker)).toBe(true);
    await rm(marker);

    const commit = await wt.commit(['src/a.ts', 'dir with space/new file.ts'], '--amend: remove unused');
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(existsSync(marker)).toBe(false);

    expect(await git(dir, 'rev-parse', 'refs/heads/selfreview/commit-test')).toBe(commit);
    expect(await git(dir, 'rev-parse', `${commit}^`)).toBe(sha);
    expect(await git(dir, 'log', '-1', '--format=%an|%ae|%cn|%ce', commit)).toBe(
      'selfreview|selfreview@localhost|selfreview|selfreview@localhost',
    );
    expect((await repo.commitMessage(commit)).trim()).toBe('--amend: remove unused');
    expect((await git(dir, 'show', '--name-only', '--format=', commit)).split('\n').sort()).toEqual([
      'dir with space/new file.ts',
      'src/a.ts',
    ]);
    expect(await git(wtDir, 'status', '--porcelain', '--untracked-files=all')).toBe('?? extra.txt');
    expect(await repo.changedFiles(sha, commit)).toEqual(['dir with space/new file.ts', 'src/a.ts']);
    expect(await repo.commitsBetween(sha, commit)).toEqual([commit]);
    await expect(wt.commit(['../escape.ts'], 'm')).rejects.toBeInstanceOf(GitError);

    await repo.removeWorktree(wtDir);
    expect(existsSync(wtDir)).toBe(false);
    expect(await worktreeDirs(dir)).toEqual([dir]);
    // The branch outlives its worktree until it is deleted.
    expect(await repo.listSelfreviewBranches()).toEqual(['selfreview/commit-test']);
    await repo.deleteBranch('selfreview/commit-test');
    expect(await repo.listSelfreviewBranches()).toEqual([]);
    expect(await userState(dir)).toEqual(before);
  });

  it('removeWorktree is quiet when the worktree is already gone', async () => {
    const { dir, repo } = await repoWith();
    const root = await scratch();
    await expect(repo.removeWorktree(path.join(root, 'never-made'))).resolves.toBeUndefined();
    expect(await worktreeDirs(dir)).toEqual([dir]);
  });

  it('pruneWorktreesUnder removes the worktrees under a folder, and only those', async () => {
    const { dir, repo } = await repoWith();
    const before = await userState(dir);
    const { sha } = await repo.head();
    const root = await scratch();
    const under = path.join(root, 'worktrees');
    const sibling = path.join(root, 'worktrees-other', 'keep');
    await repo.addWorktree(path.join(under, 'one'), sha, 'selfreview/one');
    await repo.addWorktree(path.join(under, 'deep', 'two'), sha, 'selfreview/two');
    await repo.addWorktree(sibling, sha, 'selfreview/keep');
    // A crash that left the registry entry but lost the folder.
    await repo.addWorktree(path.join(under, 'lost'), sha, 'selfreview/lost');
    await rm(path.join(under, 'lost'), { recursive: true, force: true });

    expect(await repo.pruneWorktreesUnder(under)).toBe(3);
    expect(await worktreeDirs(dir)).toEqual([dir, sibling]);
    expect(existsSync(path.join(under, 'one'))).toBe(false);
    expect(existsSync(path.join(under, 'deep', 'two'))).toBe(false);
    expect(existsSync(sibling)).toBe(true);
    expect(await repo.pruneWorktreesUnder(under)).toBe(0);
    // Branches are left for deleteBranch.
    expect((await repo.listSelfreviewBranches()).sort()).toEqual([
      'selfreview/keep',
      'selfreview/lost',
      'selfreview/one',
      'selfreview/two',
    ]);
    await repo.removeWorktree(sibling);
    expect(await userState(dir)).toEqual(before);
  });

  it('deleteBranch refuses branches that are not selfreview/*', async () => {
    const { dir, repo } = await repoWith();
    await git(dir, 'branch', 'feature-x');
    for (const name of ['main', 'feature-x', '-D', '--all', 'selfreview', 'refs/heads/main']) {
      await expect(repo.deleteBranch(name)).rejects.toBeInstanceOf(GitError);
      await expect(repo.branchExists(name)).rejects.toBeInstanceOf(GitError);
    }
    expect((await git(dir, 'branch', '--format=%(refname:short)')).split('\n').sort()).toEqual([
      'feature-x',
      'main',
    ]);
    await expect(repo.deleteBranch('selfreview/does-not-exist')).rejects.toBeInstanceOf(GitError);
  });

  it('changedFiles, diffLines and restoreFile on a worktree', async () => {
    const { dir, repo } = await repoWith();
    const before = await userState(dir);
    const { sha } = await repo.head();
    const root = await scratch();
    const wtDir = path.join(root, 'wt');
    const wt = await repo.addWorktree(wtDir, sha, 'selfreview/diff');

    expect(await wt.changedFiles()).toEqual([]);
    expect(await wt.diffLines()).toBe(0);

    // One line replaced (+1 -1), a two-line file deleted (-2), one file untracked (not counted).
    await writeFile(
      path.join(wtDir, 'src/a.ts'),
      'export const a = 1;\nexport const B = 2;\nexport const c = 3;\n',
    );
    await rm(path.join(wtDir, 'b.txt'));
    await writeFile(path.join(wtDir, 'dir with space/untracked one.ts'), 'x\n');

    expect((await wt.changedFiles()).sort()).toEqual([
      'b.txt',
      'dir with space/untracked one.ts',
      'src/a.ts',
    ]);
    expect(await wt.diffLines()).toBe(4);

    await wt.restoreFile('src/a.ts');
    expect(await readFile(path.join(wtDir, 'src/a.ts'), 'utf8')).toBe(FILES['src/a.ts']);
    expect(await wt.diffLines()).toBe(2);
    await wt.restoreFile('b.txt');
    expect(await readFile(path.join(wtDir, 'b.txt'), 'utf8')).toBe(FILES['b.txt']);
    expect(await wt.diffLines()).toBe(0);
    expect(await wt.changedFiles()).toEqual(['dir with space/untracked one.ts']);

    // Restoring a file changes nothing else, also when other edits were committed on the branch.
    await writeFile(path.join(wtDir, 'src/a.ts'), 'committed\n');
    await wt.commit(['src/a.ts'], 'edit');
    expect(await wt.diffLines()).toBe(4);
    await wt.restoreFile('src/a.ts');
    expect(await wt.diffLines()).toBe(0);

    for (const bad of ['../x', '-x', '/abs']) {
      await expect(wt.restoreFile(bad)).rejects.toBeInstanceOf(GitError);
    }
    await repo.removeWorktree(wtDir);
    expect(await userState(dir)).toEqual(before);
  });
});
