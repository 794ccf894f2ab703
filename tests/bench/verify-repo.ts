/** The benchmark's own copies of the repository under test (it only reads the original), and git on them. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Repository } from '@selfreview/shared/workspace';
import { packageFolders } from '../../services/fix/src/worktree-setup.ts';

const exec = promisify(execFile);

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/**
 * A clone of `source` sharing its objects, with its checked-out submodules cloned the same way
 * and each installed node_modules folder linked: what a batch's worktree is made from.
 */
export async function cloneOf(source: string, dir: string): Promise<Repository> {
  await git(os.tmpdir(), 'clone', '--quiet', '--shared', '--no-checkout', source, dir);
  const head = await git(source, 'rev-parse', 'HEAD');
  await git(dir, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', head);
  const status = await git(source, 'submodule', 'status').catch(() => '');
  for (const line of status.split('\n')) {
    const m = /^ ([0-9a-f]{40}) (\S+)/.exec(line);
    if (!m) continue; // not checked out (-) or not at the pinned commit (+): left out, as fix would
    const [, sha, sub] = m as unknown as [string, string, string];
    await rm(path.join(dir, sub), { recursive: true, force: true });
    await git(
      dir,
      'clone',
      '--quiet',
      '--shared',
      '--no-checkout',
      path.join(source, sub),
      path.join(dir, sub),
    );
    await git(path.join(dir, sub), '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha);
  }
  // Where prepareWorktree looks for them: next to each tracked package.json.
  for (const folder of packageFolders((await git(dir, 'ls-files')).split('\n'))) {
    const installed = path.join(source, folder, 'node_modules');
    const link = path.join(dir, folder, 'node_modules');
    if (existsSync(installed) && !existsSync(link)) await symlink(installed, link, 'dir');
  }
  return Repository.open(dir);
}

/** Untracked and ignored paths of a tree, as git lists them (folders whole). */
export async function untracked(dir: string): Promise<Set<string>> {
  const out = await git(dir, 'status', '--porcelain', '--ignored', '--untracked-files=normal', '-z');
  return new Set(
    out
      .split('\0')
      .filter((e) => e.startsWith('?? ') || e.startsWith('!! '))
      .map((e) => e.slice(3).replace(/\/$/, '')),
  );
}
