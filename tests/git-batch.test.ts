/**
 * The long-lived `git cat-file --batch-command` a worker's repositories read through
 * (Repository.keepGitOpen): the same answers as a git process per read, for files and for a
 * branch's tip as it moves, is packed and is deleted under it; commands from many callers at once;
 * a large file; a process closed with commands in flight, and one left idle.
 */
import { realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitError } from '@selfreview/shared/errors';
import { Repository } from '@selfreview/shared/git';
import { afterEach, describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir } from './helpers/git.ts';

const cleanup: string[] = [];
const opened: Repository[] = [];

afterEach(async () => {
  for (const repo of opened.splice(0)) repo.close();
  for (const dir of cleanup.splice(0)) await removeDir(dir);
});

async function repo(files: Record<string, string>): Promise<string> {
  const dir = await realpath(await makeRepo(files));
  cleanup.push(dir);
  return dir;
}

async function kept(dir: string, opts?: { idleMs?: number }): Promise<Repository> {
  const r = (await Repository.open(dir)).keepGitOpen(opts);
  opened.push(r);
  return r;
}

const commit = (dir: string, ...args: string[]) =>
  git(dir, '-c', 'user.name=t', '-c', 'user.email=t@l', 'commit', '-q', '--no-verify', ...args);

const FILES = {
  'a.ts': 'export const a = 1;\n',
  'dir with space/b c.ts': 'export const b = "é ✓";\n',
  'empty.ts': '',
  'src/nested/deep.ts': 'x\n'.repeat(100),
};

describe('Repository.keepGitOpen', () => {
  it('reads files as a git process per read does: missing files and folders absent', async () => {
    const dir = await repo(FILES);
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const asked = [...Object.keys(FILES), 'nope.ts', 'src', 'src/nested'];
    const once = await (await Repository.open(dir)).readFiles(sha, asked);
    const batch = await (await kept(dir)).readFiles(sha, asked);
    expect([...batch].sort()).toEqual([...once].sort());
    expect(Object.fromEntries(batch)).toEqual(FILES);
  });

  it('reads a file of several megabytes, and answers many callers at once in their order', async () => {
    const big = `${'0123456789abcdef'.repeat(64)}\n`.repeat(3000);
    const dir = await repo({ ...FILES, 'big.ts': big });
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const r = await kept(dir);
    const names = [...Object.keys(FILES), 'big.ts'];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 3 === 0 ? r.branchTip('main') : r.readFiles(sha, [names[i % names.length] as string, 'nope.ts']),
      ),
    );
    answers.forEach((answer, i) => {
      if (i % 3 === 0) expect(answer).toBe(sha);
      else {
        const name = names[i % names.length] as keyof typeof FILES | 'big.ts';
        expect(answer).toEqual(new Map([[name, name === 'big.ts' ? big : FILES[name]]]));
      }
    });
  });

  it("follows a branch's tip as it moves, is packed and is deleted, and reads new commits' files", async () => {
    const dir = await repo({ 'a.ts': 'one\n' });
    const r = await kept(dir);
    expect(await r.branchTip('main')).toBe(await git(dir, 'rev-parse', 'HEAD'));
    expect(await r.branchTip('other')).toBeNull();

    await writeFile(path.join(dir, 'a.ts'), 'two\n');
    await commit(dir, '-am', 'two');
    const two = await git(dir, 'rev-parse', 'HEAD');
    expect(await r.branchTip('main')).toBe(two);
    expect(await r.readFiles(two, ['a.ts'])).toEqual(new Map([['a.ts', 'two\n']]));

    await git(dir, 'branch', 'other');
    await git(dir, 'pack-refs', '--all');
    await writeFile(path.join(dir, 'a.ts'), 'three\n');
    await commit(dir, '-am', 'three');
    await git(dir, 'repack', '-adq');
    const three = await git(dir, 'rev-parse', 'HEAD');
    expect(await r.branchTip('main')).toBe(three);
    expect(await r.branchTip('other')).toBe(two);
    expect(await r.readFiles(three, ['a.ts'])).toEqual(new Map([['a.ts', 'three\n']]));

    await git(dir, 'branch', '-D', 'other');
    expect(await r.branchTip('other')).toBeNull();
    // An annotated tag's name is not a branch.
    await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@l', 'tag', '-a', 'v1', '-m', 'v1');
    expect(await r.branchTip('v1')).toBeNull();
  });

  it('refuses what git could read as something else, as the one-shot reads do', async () => {
    const dir = await repo(FILES);
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const r = await kept(dir);
    await expect(r.readFiles(sha, ['../x.ts'])).rejects.toThrow(GitError);
    await expect(r.readFiles(sha, ['a\nb.ts'])).rejects.toThrow(GitError);
    await expect(r.readFiles('HEAD', ['a.ts'])).rejects.toThrow(GitError);
    await expect(r.branchTip('--all')).rejects.toThrow(GitError);
    expect(await r.readFiles(sha, ['a.ts'])).toEqual(new Map([['a.ts', FILES['a.ts']]]));
  });

  it('fails the commands in flight when closed, and starts again for the next one', async () => {
    const dir = await repo({ 'a.ts': 'a\n' });
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const r = await kept(dir);
    // Written to git at once; no answer can have been read before close().
    const inFlight = r.readFiles(sha, ['a.ts']);
    r.close();
    await expect(inFlight).rejects.toThrow(/git cat-file/);
    expect(await r.readFiles(sha, ['a.ts'])).toEqual(new Map([['a.ts', 'a\n']]));
  });

  it('does not keep the process alive while idle, and reads again after ending itself', async () => {
    const dir = await repo({ 'a.ts': 'a\n' });
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const r = await kept(dir, { idleMs: 50 });
    const children = () =>
      process.getActiveResourcesInfo().filter((x) => x === 'ProcessWrap' || x === 'PipeWrap').length;
    // The processes of the set-up's git commands have ended by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = children();
    expect(await r.readFiles(sha, ['a.ts'])).toEqual(new Map([['a.ts', 'a\n']]));
    expect(children()).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await r.readFiles(sha, ['a.ts'])).toEqual(new Map([['a.ts', 'a\n']]));
  });
});
