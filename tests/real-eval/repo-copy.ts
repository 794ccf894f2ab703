/**
 * A private copy of the repository under evaluation, at its HEAD: cloned (so nothing done to
 * the copy reaches the original), with the original's installed dependencies linked in (nothing
 * writes there, and installing again would take minutes and the network) and its submodules
 * taken from the original's own .git/modules.
 */
import { existsSync } from 'node:fs';
import { appendFile, lstat, mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { git } from './git.ts';

export type RepositoryCopy = { root: string; branch: string; warnings: string[] };

export async function copyRepository(source: string, into: string): Promise<RepositoryCopy> {
  const sourceRoot = (await git(source, 'rev-parse', '--show-toplevel')).trim();
  const head = (await git(sourceRoot, 'rev-parse', 'HEAD')).trim();
  const symbolic = (await git(sourceRoot, 'rev-parse', '--abbrev-ref', 'HEAD')).trim();
  const branch = symbolic === 'HEAD' ? 'eval-base' : symbolic;
  const root = path.join(into, path.basename(sourceRoot));
  await git(into, 'clone', '--quiet', '--no-checkout', sourceRoot, root);
  await git(root, 'checkout', '--quiet', '-B', branch, head);
  // No way back to the original: nothing the pipeline does may push there.
  await git(root, 'remote', 'remove', 'origin');
  const warnings = await initSubmodules(sourceRoot, root);
  await linkDependencies(sourceRoot, root);
  return { root, branch, warnings };
}

async function initSubmodules(sourceRoot: string, root: string): Promise<string[]> {
  if (!existsSync(path.join(root, '.gitmodules'))) return [];
  const sourceGitDir = (await git(sourceRoot, 'rev-parse', '--absolute-git-dir')).trim();
  const listing = await git(
    root,
    'config',
    '-f',
    '.gitmodules',
    '--get-regexp',
    '^submodule\\..*\\.path$',
  ).catch(() => '');
  const warnings: string[] = [];
  for (const line of listing.split('\n').filter(Boolean)) {
    const [key, subPath] = line.split(' ') as [string, string];
    const name = key.replace(/^submodule\./, '').replace(/\.path$/, '');
    const local = path.join(sourceGitDir, 'modules', name);
    if (!existsSync(local)) {
      warnings.push(`submodule ${subPath} left uninitialised: the source has no .git/modules/${name}`);
      continue;
    }
    await git(root, 'config', `submodule.${name}.url`, local);
    try {
      await git(
        root,
        '-c',
        'protocol.file.allow=always',
        'submodule',
        'update',
        '--init',
        '--quiet',
        '--',
        subPath,
      );
    } catch (err) {
      warnings.push(`submodule ${subPath}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return warnings;
}

/**
 * Links `node_modules` of the root and of every folder with a committed package.json (the
 * workspace packages of pnpm, npm and yarn alike) from `sourceRoot` into `target`, and keeps
 * the links out of `git status`.
 */
export async function linkDependencies(sourceRoot: string, target: string): Promise<void> {
  const files = (await git(target, 'ls-files', '--recurse-submodules')).split('\n');
  const dirs = new Set(['']);
  for (const f of files) if (path.posix.basename(f) === 'package.json') dirs.add(path.posix.dirname(f));
  for (const dir of dirs) {
    const from = path.join(sourceRoot, dir === '.' ? '' : dir, 'node_modules');
    const to = path.join(target, dir === '.' ? '' : dir, 'node_modules');
    if (!existsSync(from) || (await lstat(to).catch(() => null))) continue;
    await mkdir(path.dirname(to), { recursive: true });
    await symlink(from, to, 'dir');
  }
  const exclude = path.resolve(target, (await git(target, 'rev-parse', '--git-path', 'info/exclude')).trim());
  await mkdir(path.dirname(exclude), { recursive: true });
  const current = await readFile(exclude, 'utf8').catch(() => '');
  if (!current.split('\n').includes('node_modules')) await appendFile(exclude, '\nnode_modules\n');
}
