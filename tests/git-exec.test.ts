/**
 * The one git runner (`@selfreview/shared/git`'s runGit) on real repositories: the exit code,
 * stdout and stderr as git left them, the hardening settings and minimal environment on every
 * command, a time limit that kills, standard input; and the adapter's answers that git gives
 * by exit code alone (no such branch, not an ancestor, no note, nothing to commit).
 */
import { realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitError } from '@selfreview/shared/errors';
import { GIT_HARDENING, Repository, git as runAndRead, runGit, runGitBytes } from '@selfreview/shared/git';
import { afterEach, describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';

const cleanup: string[] = [];

afterEach(async () => {
  for (const dir of cleanup.splice(0)) await removeDir(dir);
});

async function repo(files: Record<string, string> = { 'a.txt': 'a\n' }): Promise<string> {
  const dir = await realpath(await makeRepo(files));
  cleanup.push(dir);
  return dir;
}

async function commitFile(dir: string, file: string, text: string): Promise<string> {
  await writeFile(path.join(dir, file), text);
  await git(dir, 'add', file);
  await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@l', 'commit', '-q', '--no-verify', '-m', file);
  return git(dir, 'rev-parse', 'HEAD');
}

describe('runGit', () => {
  it('keeps the exit code of a command that fails without printing anything', async () => {
    const dir = await repo();
    const res = await runGit(['rev-parse', '--verify', '--quiet', 'refs/heads/none'], { cwd: dir });
    expect(res).toMatchObject({ code: 1, stdout: '', stderr: '', timedOut: false });
    const err = await runAndRead(['rev-parse', '--verify', '--quiet', 'refs/heads/none'], { cwd: dir }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    expect(err?.message).toBe('git rev-parse failed: exit 1');
  });

  it("names the command and git's first line of complaint when it fails", async () => {
    const dir = await repo();
    await expect(runAndRead(['cat-file', '-t', 'f'.repeat(40)], { cwd: dir })).rejects.toThrow(
      /^git cat-file failed: fatal: /,
    );
    await expect(runAndRead(['branch', '-D', '--', 'none'], { cwd: dir, what: 'branch -D' })).rejects.toThrow(
      /^git branch -D failed: error: branch 'none' not found/,
    );
  });

  it('runs every command with the hardening settings, which outrank the repository config', async () => {
    const dir = await repo();
    await git(dir, 'config', 'core.hooksPath', '.githooks');
    await git(dir, 'config', 'core.fsmonitor', 'true');
    await git(dir, 'config', 'filter.lfs.smudge', 'git-lfs smudge -- %f');
    for (const setting of GIT_HARDENING) {
      const [key = '', value] = setting.split(/=(.*)/s);
      const res = await runGit(['config', '--get', key], { cwd: dir });
      expect(res.stdout.trim(), key).toBe(value);
    }
  });

  it('gives git the minimal environment plus the extra variables, and none of ours', async () => {
    const dir = await repo();
    const saved = process.env.GITHUB_TOKEN;
    process.env.GITHUB_TOKEN = 'sr-runner-token-5e1d';
    try {
      // An alias is how a repository could make git start a program: here it prints its environment.
      const res = await runGit(['-c', 'alias.showenv=!env', 'showenv'], { cwd: dir, env: { EXTRA: 'yes' } });
      expect(res.code).toBe(0);
      expect(res.stdout).not.toContain('sr-runner-token-5e1d');
      expect(res.stdout).toMatch(/^EXTRA=yes$/m);
      expect(res.stdout).toMatch(/^GIT_TERMINAL_PROMPT=0$/m);
      expect(res.stdout).toMatch(/^GIT_CONFIG_NOSYSTEM=1$/m);
      expect(res.stdout).toMatch(/^GIT_LFS_SKIP_SMUDGE=1$/m);
      expect(res.stdout).not.toMatch(/^CI=/m);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = saved;
    }
  });

  it('kills a command past its time limit, and git() says it timed out', async () => {
    const dir = await repo();
    const args = ['-c', 'alias.hang=!sleep 30', 'hang'];
    const res = await runGit(args, { cwd: dir, timeoutMs: 300 });
    expect(res.timedOut).toBe(true);
    expect(res.code).not.toBe(0);
    await expect(runAndRead(args, { cwd: dir, timeoutMs: 300, what: 'hang' })).rejects.toThrow(
      /^git hang timed out after/,
    );
  });

  it('writes the input to git and can hand back the output as bytes', async () => {
    const dir = await repo({ 'a.txt': 'héllo\n' });
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const res = await runGitBytes(['cat-file', '--batch'], { cwd: dir, input: `${sha}:a.txt\n${sha}:b\n` });
    expect(res.code).toBe(0);
    expect(Buffer.isBuffer(res.stdout)).toBe(true);
    const text = res.stdout.toString('utf8');
    expect(text).toMatch(/^[0-9a-f]{40} blob 7\nhéllo\n\n/);
    expect(text).toContain(`${sha}:b missing`);
  });

  it('rejects with a GitError when git cannot start', async () => {
    await expect(runGit(['status'], { cwd: path.join(await tempDir(), 'gone') })).rejects.toBeInstanceOf(
      GitError,
    );
  });
});

describe('answers git gives by exit code', () => {
  it('isAncestor, branchTip, resolveCommit and hasCommits', async () => {
    const dir = await repo();
    const first = await git(dir, 'rev-parse', 'HEAD');
    const second = await commitFile(dir, 'b.txt', 'b\n');
    await git(dir, 'checkout', '-q', '-b', 'side', first);
    const side = await commitFile(dir, 'c.txt', 'c\n');
    const r = await Repository.open(dir);

    expect(await r.isAncestor(first, second)).toBe(true);
    expect(await r.isAncestor(second, second)).toBe(true);
    expect(await r.isAncestor(second, first)).toBe(false);
    expect(await r.isAncestor(side, second)).toBe(false);
    expect(await r.isAncestor('0'.repeat(40), second)).toBe(false);

    expect(await r.branchTip('main')).toBe(second);
    expect(await r.branchTip('side')).toBe(side);
    expect(await r.branchTip('none')).toBeNull();
    await expect(r.branchTip('--all')).rejects.toBeInstanceOf(GitError);
    expect(await r.resolveCommit(second.slice(0, 10))).toBe(second);
    expect(await r.resolveCommit('0123456789')).toBeNull();
    expect(await r.hasCommits()).toBe(true);

    const empty = await realpath(await tempDir());
    cleanup.push(empty);
    await git(empty, 'init', '-q');
    expect(await (await Repository.open(empty)).hasCommits()).toBe(false);
  });

  it('branch notes: null until set, then the value', async () => {
    const dir = await repo();
    const r = await Repository.open(dir);
    expect(await r.branchNote('selfreview/x', 'batch')).toBeNull();
    await r.setBranchNote('selfreview/x', 'batch', 'run-1-b-2');
    expect(await r.branchNote('selfreview/x', 'batch')).toBe('run-1-b-2');
    expect(await r.branchNote('selfreview/x', 'base')).toBeNull();
    await expect(r.setBranchNote('selfreview/x', 'base', '--evil')).rejects.toBeInstanceOf(GitError);
  });

  it('a commit with nothing to commit is an error, not the base commit again', async () => {
    const dir = await repo();
    const r = await Repository.open(dir);
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const wt = await r.addWorktree(path.join(await realpath(await tempDir()), 'wt'), sha, 'selfreview/empty');
    cleanup.push(path.dirname(wt.dir));
    await expect(wt.commit(['a.txt'], 'selfreview: nothing')).rejects.toThrow(
      /^git commit failed: .*nothing to commit/,
    );
    expect(await r.resolveBranch('selfreview/empty')).toBe(sha);
    await r.removeWorktree(wt.dir);
  });
});
