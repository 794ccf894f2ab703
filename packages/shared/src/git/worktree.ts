/**
 * Worktrees, the only place selfreview writes files: made on a new `selfreview/*` branch at a
 * commit, changed, committed as selfreview (hooks off, only the named files staged), removed.
 * The user's own working tree, index and checked-out branch are never touched. `Worktree`
 * (in repository.ts, beside the `Repository` it points back to) is the object over these.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { GitError } from '../errors.ts';
import { git, lastLine, runGit } from './exec.ts';
import { assertRepoPath, assertSelfreviewBranch, assertSha, COMMITTER_ARGS } from './names.ts';

/**
 * Makes a worktree at `sha` on a new branch `branch`, atomically: git refuses if the branch
 * already exists. The folder is absolute, so git can't take it for an option.
 */
export async function addWorktree(root: string, dir: string, sha: string, branch: string): Promise<void> {
  assertSha(sha);
  assertSelfreviewBranch(branch);
  if (!path.isAbsolute(dir)) throw new GitError(`worktree folder must be absolute: ${dir}`);
  await mkdir(path.dirname(dir), { recursive: true });
  await git(['worktree', 'add', '--no-track', '-b', branch, dir, sha], { cwd: root, what: 'worktree add' });
}

/**
 * Puts a worktree back to `sha`, detached, as `git worktree add` made it, for another batch of
 * the same commit: tracked files reset, files nobody tracks removed (except `keep`, the
 * dependency links, and what the repository ignores: its set-up's output), the branch left
 * where the batch put it. Whether the worktree is now clean: false when anything else differs
 * from `sha` (a submodule's changed content, say), and then it should be removed instead.
 */
export async function resetWorktree(dir: string, sha: string, keep: readonly string[]): Promise<boolean> {
  assertSha(sha);
  for (const k of keep) assertRepoPath(k);
  const ok = async (args: string[]) => (await runGit(args, { cwd: dir })).code === 0;
  if (!(await ok(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--force', '--detach', sha])))
    return false;
  // Anchored and escaped: a kept path is matched as itself, never as a pattern.
  const excludes = keep.map((k) => `--exclude=/${k.replace(/[\\*?[\]!#]/g, (c) => `\\${c}`)}`);
  if (!(await ok(['clean', '-f', '-d', '--quiet', ...excludes]))) return false;
  const left = await runGit(
    ['status', '--porcelain', '-z', '--untracked-files=normal', '--ignore-submodules=none'],
    {
      cwd: dir,
    },
  );
  if (left.code !== 0) return false;
  const kept = (file: string) => keep.some((k) => file === k || file.startsWith(`${k}/`));
  return left.stdout
    .split('\0')
    .filter(Boolean)
    .every((entry) => kept(entry.slice(3)));
}

/** Starts `branch`, new, at `sha` in a worktree that is detached at `sha` (resetWorktree). */
export async function startBranch(dir: string, branch: string, sha: string): Promise<void> {
  assertSha(sha);
  assertSelfreviewBranch(branch);
  // `-b` refuses a branch that exists, as `worktree add -b` does.
  await git(['checkout', '--quiet', '--no-track', '-b', branch, sha], { cwd: dir, what: 'checkout -b' });
}

/** Removes a worktree, its folder and git's record of it; quiet when it is already gone. */
export async function removeWorktree(root: string, dir: string): Promise<void> {
  // Fails when the worktree was never registered or is already gone: the folder goes anyway.
  await runGit(['worktree', 'remove', '--force', dir], { cwd: root }).catch(() => {});
  await rm(dir, { recursive: true, force: true });
  // Cleanup that must not fail the caller: a stale record is pruned again next time.
  await runGit(['worktree', 'prune'], { cwd: root }).catch(() => {});
}

/** The repository's registered worktrees (the main one first), with the branch each has checked out. */
export async function listWorktrees(
  root: string,
): Promise<{ dir: string; head: string | null; branch: string | null }[]> {
  const list = await git(['worktree', 'list', '--porcelain'], { cwd: root, what: 'worktree list' });
  return list
    .split('\n\n')
    .map((block) => block.split('\n'))
    .filter((lines) => lines[0]?.startsWith('worktree '))
    .map((lines) => {
      const field = (key: string) =>
        lines.find((l) => l.startsWith(`${key} `))?.slice(key.length + 1) ?? null;
      const ref = field('branch');
      return {
        dir: field('worktree') as string,
        head: field('HEAD'),
        branch: ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null,
      };
    });
}

/**
 * Removes worktrees under `folder` left by a crash (git's own registry and the folders);
 * `keep` spares the ones still in use.
 */
export async function pruneWorktreesUnder(
  root: string,
  folder: string,
  keep: (dir: string) => boolean = () => false,
): Promise<number> {
  const stale = (await listWorktrees(root))
    .map((w) => w.dir)
    .filter((p) => p.startsWith(folder + path.sep) && !keep(p));
  for (const dir of stale) await removeWorktree(root, dir);
  return stale.length;
}

/** Stages exactly `files` (never `-A`) and commits them as selfreview; returns the new commit's id. */
export async function commitFiles(dir: string, files: readonly string[], message: string): Promise<string> {
  for (const f of files) assertRepoPath(f);
  await git(['add', '--', ...files], { cwd: dir });
  // The message is the value of -m, so git never reads it as an option.
  await git([...COMMITTER_ARGS, 'commit', '--no-verify', '-m', message], { cwd: dir });
  return (await git(['rev-parse', 'HEAD'], { cwd: dir })).trim();
}

/** Changed files, each marked tracked (modified, deleted) or untracked (new, never added). */
export async function status(dir: string): Promise<{ file: string; untracked: boolean }[]> {
  const out = await git(['status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=all'], {
    cwd: dir,
  });
  return out
    .split('\0')
    .filter(Boolean)
    .map((entry) => ({ file: entry.slice(3), untracked: entry.startsWith('??') }));
}

/** Lines added plus removed per tracked file, against `baseSha`. */
export async function diffLines(dir: string, baseSha: string): Promise<number> {
  const out = await git(['diff', '--no-ext-diff', '--no-textconv', '--numstat', baseSha], { cwd: dir });
  return out
    .split('\n')
    .filter(Boolean)
    .reduce((sum, line) => {
      const [added = '0', removed = '0'] = line.split('\t');
      return sum + (Number(added) || 0) + (Number(removed) || 0);
    }, 0);
}

/**
 * Reverts `commits` (newest first) with new commits on the worktree's branch: history
 * is added to, never rewritten. Returns the new tip.
 */
export async function revert(dir: string, commits: readonly string[]): Promise<string> {
  for (const c of commits) assertSha(c);
  await git([...COMMITTER_ARGS, 'revert', '--no-edit', ...commits], { cwd: dir });
  return (await git(['rev-parse', 'HEAD'], { cwd: dir })).trim();
}

/**
 * Fills the submodule at `subPath` with commit `sha`, taken from the user's own checkout of
 * that submodule (`source`): a clone sharing its objects, so nothing is fetched or copied.
 * Returns why not when the local checkout doesn't have the commit.
 */
export async function checkoutSubmodule(
  dir: string,
  subPath: string,
  sha: string,
  source: string,
): Promise<string | null> {
  assertRepoPath(subPath);
  assertSha(sha);
  if (!existsSync(path.join(source, '.git')))
    return `submodule ${subPath} is not checked out in the repository`;
  const has = await runGit(['-C', source, 'cat-file', '-e', `${sha}^{commit}`], { cwd: source });
  if (has.code !== 0) return `submodule ${subPath}: commit ${sha.slice(0, 12)} is not in its local checkout`;
  const target = path.join(dir, subPath);
  const cloned = await runGit(
    ['clone', '--quiet', '--shared', '--no-checkout', '--no-hardlinks', '--', source, target],
    { cwd: dir },
  );
  if (cloned.code !== 0) return `submodule ${subPath}: ${lastLine(cloned.stderr) || 'clone failed'}`;
  const checkedOut = await runGit(
    ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha],
    {
      cwd: target,
    },
  );
  if (checkedOut.code !== 0)
    return `submodule ${subPath}: ${lastLine(checkedOut.stderr) || 'checkout failed'}`;
  return null;
}

/** Puts `file` back as it is at `baseSha`. */
export async function restoreFile(dir: string, baseSha: string, file: string): Promise<void> {
  assertRepoPath(file);
  await git(['checkout', baseSha, '--', file], { cwd: dir });
}
