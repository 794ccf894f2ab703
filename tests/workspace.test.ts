/**
 * The git adapter on real temporary repositories: opening one, reading at a commit, and clones
 * into the cache (refusing URLs git could run as commands), the user's own checkout never
 * touched. Worktrees and `selfreview/*` branches are in workspace-worktrees.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitError, UserInputError } from '@selfreview/shared/errors';
import { Repository } from '@selfreview/shared/workspace';
import { describe, expect, it } from 'vitest';
import { git, userState } from './helpers/git.ts';
import { FILES, workspaceTestBed } from './helpers/workspace.ts';

const { scratch, repoWith } = workspaceTestBed();

/** Runs `fn` and returns what it threw (the test fails if it did not throw). */
async function thrown(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

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
