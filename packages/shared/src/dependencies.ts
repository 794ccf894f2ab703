/**
 * Making a repository's installed dependencies visible in another tree of the same commit
 * (scan's snapshot, fix's worktree) without installing anything.
 *
 * Workspaces (pnpm, yarn, npm) link the repository's own packages into node_modules
 * (`node_modules/zod -> ../packages/zod`). Followed as they are, those links lead the compiler
 * out of the tree into the user's working tree (or, for a checkout whose node_modules are
 * themselves a link, into another checkout), and it loads a second copy of each such package
 * beside the tree's own. On zod, two copies of its deeply generic types made the root
 * project's check grow past 6 GB and 10 minutes instead of 1 minute. So a node_modules folder
 * holding such links is rebuilt in the tree with those links pointing at the tree's own copy,
 * and everything else linked to the installed entry; a folder without them is linked whole.
 * Third-party packages inside a store (`.pnpm/ai@x_zod@packages+zod/...`) still reach the
 * installed copy: rebuilding them would mean copying their files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath, symlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Workspace packages of a tree by package name, with the folder each lives in
 * (repository-relative), read from the tree's package.json texts.
 */
export function workspacePackages(manifests: ReadonlyMap<string, string>): Map<string, string> {
  const packages = new Map<string, string>();
  for (const [file, text] of manifests) {
    if (path.posix.basename(file) !== 'package.json' || file.split('/').includes('node_modules')) continue;
    try {
      const name = (JSON.parse(text) as { name?: unknown }).name;
      if (typeof name === 'string' && name !== '') packages.set(name, path.posix.dirname(file));
    } catch {
      // Not JSON: no package to link to.
    }
  }
  return packages;
}

/**
 * Links `installed` (a node_modules folder of the repository, or a link to one) at `link`
 * inside `tree`, with every workspace package among its entries pointing at `tree`'s own copy.
 * `repoRoot` is where the installed links are expected to lead; `packages` the tree's
 * workspace packages by name (a link to a folder of that name elsewhere counts too).
 */
export async function linkDependencies(opts: {
  installed: string;
  link: string;
  tree: string;
  repoRoot: string;
  packages: ReadonlyMap<string, string>;
}): Promise<void> {
  const { installed, link, tree } = opts;
  const workspaceLinks = await workspaceLinksIn(installed, opts.repoRoot, opts.packages);
  if (workspaceLinks.size === 0) {
    await symlink(installed, link, 'dir');
    return;
  }
  await mkdir(link, { recursive: true });
  for (const entry of await readdir(installed, { withFileTypes: true })) {
    const from = path.join(installed, entry.name);
    const to = path.join(link, entry.name);
    const target = workspaceLinks.get(entry.name);
    // A package folder the commit does not have (untracked) can only come from the installed tree.
    if (target !== undefined && existsSync(path.join(tree, target)))
      await symlink(path.join(tree, target), to, 'dir');
    else if (entry.isDirectory() && [...workspaceLinks.keys()].some((k) => k.startsWith(`${entry.name}/`)))
      // A scope folder (`@org`) with a workspace package in it.
      await linkDependencies({ ...opts, installed: from, link: to });
    else await symlink(from, to, entry.isDirectory() ? 'dir' : 'file');
  }
}

/**
 * The entries of a node_modules folder (and of its `@scope` folders) that are links to a
 * workspace package, by entry name (`zod`, `@org/lib`), with the package's folder as a
 * repository path: a link into the repository's own files, or a link anywhere to a folder
 * named like one of the tree's packages.
 */
async function workspaceLinksIn(
  installed: string,
  repoRoot: string,
  packages: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  const visit = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      const name = `${prefix}${entry.name}`;
      if (entry.isDirectory() && entry.name.startsWith('@') && prefix === '') {
        await visit(full, `${entry.name}/`);
        continue;
      }
      if (!entry.isSymbolicLink()) continue;
      const target = await realpath(full).catch(() => null);
      if (target === null) continue;
      if (target.split(path.sep).includes('node_modules')) continue;
      const own = packages.get(name);
      if (own !== undefined) {
        links.set(name, own);
        continue;
      }
      const rel = path.relative(repoRoot, target);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
      links.set(name, rel.split(path.sep).join('/'));
    }
  };
  await visit(installed, '');
  return links;
}
