/**
 * The git adapter on real temporary repositories: reading at a commit, worktrees
 * on `selfreview/*` branches, commits without hooks, clones into the cache, and
 * the user's own checkout (HEAD, branch, status, index) never touched.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitError, UserInputError } from '@selfreview/shared/errors';
import { Repository } from '@selfreview/shared/workspace';
import { afterEach, describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir, tempDir, userState } from './helpers/git.ts';

const FILES = {
  'src/a.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n',
  'dir with space/file name.ts': 'export const spaced = "héllo wörld";\n',
  'b.txt': 'line one\nline two\n',
};

const cleanup: string[] = [];

/** A temporary folder (realpath, as git prints it) removed after the test. */
async function scratch(): Promise<string> {
  const dir = await realpath(await tempDir());
  cleanup.push(dir);
  return dir;
}

async function repoWith(files: Record<string, string> = FILES): Promise<{ dir: string; repo: Repository }> {
  const dir = await realpath(await makeRepo(files));
  cleanup.push(dir);
  return { dir, repo: await Repository.open(dir) };
}

async function worktreeDirs(dir: string): Promise<string[]> {
  return (await git(dir, 'worktree', 'list', '--porcelain'))
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
}

/** Runs `fn` and returns what it threw (the test fails if it did not throw). */
async function thrown(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  for (const dir of cleanup.splice(0)) await removeDir(dir);
});

describe('Repository.open', () => {
  it('refuses a missing path, a file and a non-git folder with a one-line UserInputError', async () => {
    const root = await scratch();
    const file = path.join(root, 'file.txt');
    await writeFile(file, 'x');
    const plain = path.join(root, 'plain');
    await mkdir(plain);

    for (const target of [path.join(root, 'missing'), file, plain]) {
      const err = await thrown(() => Repository.open(target));
      expect(err).toBeInstanceOf(UserInputError);
      expect(err.message).not.toContain('\n');
      expect(err.message).toContain(target);
    }
    expect((await thrown(() => Repository.open(path.join(root, 'missing')))).message).toMatch(/no such file/);
    expect((await thrown(() => Repository.open(file))).message).toMatch(/not a directory/);
    expect((await thrown(() => Repository.open(plain))).message).toMatch(/not a git repository/);
  });

  it('opens a subfolder of a repository at its top level', async () => {
    const { dir } = await repoWith();
    const repo = await Repository.open(path.join(dir, 'src'));
    expect(repo.root).toBe(dir);
  });
});

describe('reading at a commit', () => {
  it('head() gives the branch and the commit', async () => {
    const { dir, repo } = await repoWith();
    const head = await repo.head();
    expect(head).toEqual({ branch: 'main', sha: await git(dir, 'rev-parse', 'HEAD') });
    expect(head.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.hasCommits()).toBe(true);
  });

  it('lists and reads the committed files, not the working tree', async () => {
    const { dir, repo } = await repoWith();
    const { sha } = await repo.head();
    // Uncommitted edits, a deleted file and an untracked file must not show through.
    await writeFile(path.join(dir, 'src/a.ts'), 'edited in the working tree\n');
    await rm(path.join(dir, 'b.txt'));
    await writeFile(path.join(dir, 'untracked.ts'), 'new\n');
    const before = await userState(dir);

    expect((await repo.listFiles(sha)).sort()).toEqual(Object.keys(FILES).sort());

    const sized = await repo.listFilesWithSize(sha);
    expect(sized.map((f) => f.path).sort()).toEqual(Object.keys(FILES).sort());
    for (const f of sized) {
      expect(f.size).toBe(Buffer.byteLength(FILES[f.path as keyof typeof FILES]));
      expect(f.mode).toBe('100644');
    }

    const read = await repo.readFiles(sha, ['src/a.ts', 'nope.ts', 'dir with space/file name.ts', 'b.txt']);
    expect(read.has('nope.ts')).toBe(false);
    expect(Object.fromEntries(read)).toEqual(FILES);
    expect(await repo.readFile(sha, 'src/a.ts')).toBe(FILES['src/a.ts']);
    expect(await repo.readFile(sha, 'missing/file.ts')).toBeNull();
    expect((await repo.readFiles(sha, [])).size).toBe(0);

    expect(await userState(dir)).toEqual(before);
  });

  it('reads an older commit after a newer one was made', async () => {
    const { dir, repo } = await repoWith();
    const first = (await repo.head()).sha;
    await writeFile(path.join(dir, 'src/a.ts'), 'second version\n');
    await git(dir, 'add', 'src/a.ts');
    await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@l', 'commit', '-q', '--no-verify', '-m', 'two');
    const second = (await repo.head()).sha;
    expect(second).not.toBe(first);
    expect(await repo.readFile(first, 'src/a.ts')).toBe(FILES['src/a.ts']);
    expect(await repo.readFile(second, 'src/a.ts')).toBe('second version\n');
    expect(await repo.changedFiles(first, second)).toEqual(['src/a.ts']);
    expect(await repo.commitsBetween(first, second)).toEqual([second]);
  });

  it('refuses a ref that is not a commit id, and paths that could escape or look like options', async () => {
    const { repo } = await repoWith();
    const { sha } = await repo.head();
    for (const bad of ['HEAD', 'main', sha.slice(0, 7), 'g'.repeat(40), `--output=${sha}`]) {
      await expect(repo.listFiles(bad)).rejects.toBeInstanceOf(GitError);
      await expect(repo.readFiles(bad, ['src/a.ts'])).rejects.toBeInstanceOf(GitError);
    }
    for (const bad of ['../outside.ts', '/etc/passwd', '-x', 'a/../../b', 'new\nline', '']) {
      await expect(repo.readFiles(sha, [bad])).rejects.toBeInstanceOf(GitError);
    }
  });
});

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

describe('Repository.cloneOrFetch', () => {
  it('clones a file:// URL into the cache, and fetches new commits on the second call', async () => {
    const { dir: source } = await repoWith();
    const root = await scratch();
    const bare = path.join(root, 'remote.git');
    await git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
    await git(source, 'push', '--quiet', bare, 'main');
    const first = await git(source, 'rev-parse', 'HEAD');
    const cache = path.join(root, 'cache');
    const url = `file://${bare}`;

    const clone = await Repository.cloneOrFetch(url, cache);
    expect(clone.root.startsWith(path.join(cache, 'clones') + path.sep)).toBe(true);
    expect(existsSync(path.join(clone.root, 'HEAD'))).toBe(true);
    expect(await clone.head()).toEqual({ branch: 'main', sha: first });
    expect((await clone.listFiles(first)).sort()).toEqual(Object.keys(FILES).sort());
    expect(await clone.readFile(first, 'src/a.ts')).toBe(FILES['src/a.ts']);

    await writeFile(path.join(source, 'src/new.ts'), 'export const n = 1;\n');
    await git(source, 'add', 'src/new.ts');
    await git(
      source,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@l',
      'commit',
      '-q',
      '--no-verify',
      '-m',
      'new',
    );
    await git(source, 'push', '--quiet', bare, 'main');
    const second = await git(source, 'rev-parse', 'HEAD');

    const again = await Repository.cloneOrFetch(url, cache);
    expect(again.root).toBe(clone.root);
    expect(await git(again.root, 'rev-parse', 'refs/heads/main')).toBe(second);
    expect(await again.readFile(second, 'src/new.ts')).toBe('export const n = 1;\n');
    expect(await again.changedFiles(first, second)).toEqual(['src/new.ts']);
  });

  it('refuses URLs that git could run as commands or options, before doing anything', async () => {
    const root = await scratch();
    const marker = path.join(root, 'pwned');
    const cache = path.join(root, 'cache');
    for (const url of [
      `--upload-pack=touch ${marker}`,
      `-u touch ${marker}`,
      `ext::sh -c touch% ${marker}`,
      `ext::sh -c "touch ${marker}"`,
      '/local/path/repo',
      'http://example.invalid/repo.git',
      '',
    ]) {
      const err = await thrown(() => Repository.cloneOrFetch(url, cache));
      expect(err).toBeInstanceOf(UserInputError);
      expect(err.message).not.toContain('\n');
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(cache)).toBe(false);
  });

  it('an ssh:// URL whose host looks like an option is stopped by git, and runs nothing', async () => {
    const root = await scratch();
    const marker = path.join(root, 'pwned');
    await expect(
      Repository.cloneOrFetch(`ssh://-oProxyCommand=touch ${marker}/repo`, path.join(root, 'cache')),
    ).rejects.toBeInstanceOf(GitError);
    expect(existsSync(marker)).toBe(false);
  });
});
