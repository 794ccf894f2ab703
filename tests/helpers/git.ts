/** Real git repositories in temporary folders, made from fixture folders or inline files. */
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const EXAMPLE = fileURLToPath(new URL('../../examples/basic/', import.meta.url));

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' },
  });
  return stdout.trim();
}

export async function tempDir(prefix = 'selfreview-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A committed repository on branch `main` with the given files (or a copy of a folder). */
export async function makeRepo(source: string | Record<string, string>): Promise<string> {
  const dir = await tempDir();
  if (typeof source === 'string') {
    await cp(source, dir, { recursive: true });
  } else {
    for (const [file, text] of Object.entries(source)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
  }
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'add', '--all');
  await git(
    dir,
    '-c',
    'user.name=test',
    '-c',
    'user.email=test@localhost',
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    'initial',
  );
  return dir;
}

/** What must not change in a user's repository: branch, working tree and index. */
export async function userState(
  dir: string,
): Promise<{ head: string; branch: string; status: string; tree: string }> {
  return {
    head: await git(dir, 'rev-parse', 'HEAD'),
    branch: await git(dir, 'rev-parse', '--abbrev-ref', 'HEAD'),
    status: await git(dir, 'status', '--porcelain', '--untracked-files=all'),
    tree: await git(dir, 'write-tree'),
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * A bare repository as `origin` of `repo`, holding its `main`, guarded the way a hosted
 * repository with branch protection is: its pre-receive hook refuses any push to the default
 * branch, any non-fast-forward push and any branch deletion.
 */
export async function makeGuardedRemote(repo: string): Promise<string> {
  const remote = await tempDir('selfreview-remote-');
  await git(remote, 'init', '--quiet', '--bare', '--initial-branch=main');
  await git(repo, 'remote', 'add', 'origin', remote);
  await git(repo, 'push', '--quiet', 'origin', 'main');
  const hook = path.join(remote, 'hooks', 'pre-receive');
  await writeFile(
    hook,
    [
      '#!/bin/sh',
      'zero=0000000000000000000000000000000000000000',
      'while read old new ref; do',
      '  if [ "$ref" = "refs/heads/main" ]; then echo "refusing a push to the default branch" >&2; exit 1; fi',
      '  if [ "$new" = "$zero" ]; then echo "refusing to delete $ref" >&2; exit 1; fi',
      '  if [ "$old" != "$zero" ] && ! git merge-base --is-ancestor "$old" "$new"; then',
      '    echo "refusing a non-fast-forward push to $ref" >&2; exit 1',
      '  fi',
      'done',
      '',
    ].join('\n'),
  );
  await chmod(hook, 0o755);
  return remote;
}
