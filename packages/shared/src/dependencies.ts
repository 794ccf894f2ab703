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
 * and everything else linked to the installed entry, except the caches tools write into.
 * Third-party packages inside a store (`.pnpm/ai@x_zod@packages+zod/...`) still reach the
 * installed copy: rebuilding them would mean copying their files.
 *
 * What a tree was linked to is remembered, so that repository code run in it under the
 * sandbox (`@selfreview/shared/sandbox`) sees those folders, read-only, at the same paths:
 * `dependencyMounts`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readlink, realpath, symlink } from 'node:fs/promises';
import path from 'node:path';
import { nodeModulesRoot } from './sandbox.ts';

/** Installed folders linked into each tree, newest trees last; bounded, trees are short-lived. */
const linkedInto = new Map<string, { installed: Set<string>; mounts: Promise<string[]> | null }>();
const MAX_TREES = 64;

function remember(tree: string, installed: string): void {
  const key = path.resolve(tree);
  let entry = linkedInto.get(key);
  if (!entry) {
    entry = { installed: new Set(), mounts: null };
    linkedInto.set(key, entry);
    for (const old of linkedInto.keys()) {
      if (linkedInto.size <= MAX_TREES) break;
      linkedInto.delete(old);
    }
  }
  entry.installed.add(installed);
  entry.mounts = null;
}

/** The installed node_modules folders `linkDependencies` linked into `tree`. */
export function linkedDependencies(tree: string): string[] {
  return [...(linkedInto.get(path.resolve(tree))?.installed ?? [])].sort();
}

/**
 * The folders repository code in `tree` must see read-only for its linked dependencies to
 * resolve: each installed folder at its own path, and the outermost `node_modules` folder
 * that a link at its top level, in its `@scope` folders or in `.bin` leads to (a package
 * linked from another checkout, pnpm's store outside the folder). Only folders named
 * `node_modules` are ever shown: an installed "node_modules" that is a link to anything else,
 * or a link to a folder outside any node_modules, is left out (and does not resolve there).
 * Computed once per tree, when first asked, from the installed folders (the user's, which
 * repository code in the sandbox cannot change).
 */
export function dependencyMounts(tree: string): Promise<string[]> {
  const entry = linkedInto.get(path.resolve(tree));
  if (!entry) return Promise.resolve([]);
  entry.mounts ??= mountsFor([...entry.installed]);
  return entry.mounts;
}

async function mountsFor(installedFolders: readonly string[]): Promise<string[]> {
  const mounts = new Set<string>();
  for (const installed of installedFolders) {
    const real = await realpath(installed).catch(() => null);
    if (real === null || path.basename(real) !== 'node_modules') continue;
    mounts.add(installed);
    for (const link of await topLevelLinks(installed)) {
      const text = await readlink(link).catch(() => null);
      if (text === null) continue;
      const first = path.resolve(path.dirname(link), text);
      const target = await realpath(link).catch(() => null);
      if (target === null || target === real || target.startsWith(`${real}${path.sep}`)) continue;
      for (const p of [first, target]) {
        const root = nodeModulesRoot(p);
        // Never a kernel file system: /proc/self/root/… would be the whole machine.
        if (root !== null && !/^\/(proc|sys|dev)\//.test(root)) mounts.add(root);
      }
    }
  }
  return [...mounts].sort();
}

/** Links at the top of a node_modules folder, in its `@scope` folders and in its `.bin`. */
async function topLevelLinks(folder: string): Promise<string[]> {
  const links: string[] = [];
  const visit = async (dir: string, nested: boolean): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isSymbolicLink()) links.push(full);
      else if (!nested && e.isDirectory() && (e.name.startsWith('@') || e.name === '.bin'))
        await visit(full, true);
    }
  };
  // A folder that is itself a link (to another checkout's) is read through it.
  await visit(folder, false);
  return links;
}

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
  remember(opts.tree, opts.installed);
  await linkInto(opts);
}

/**
 * Folders that tools write into while they run (vite bundles its config into `.vite-temp`,
 * vitest keeps results in `.vite`, babel and others use `.cache`). Linked, they would lead
 * into the installed folder, which the sandbox shows read-only (vitest then fails before any
 * test runs) and which a tree must never change anyway. Left out, the tool makes its own in
 * the tree.
 */
export const TOOL_CACHE_FOLDERS: ReadonlySet<string> = new Set(['.cache', '.vite', '.vite-temp', '.vitest']);

async function linkInto(opts: Parameters<typeof linkDependencies>[0]): Promise<void> {
  const { installed, link, tree } = opts;
  const workspaceLinks = await workspaceLinksIn(installed, opts.repoRoot, opts.packages);
  // Always a folder of links, never one link to the whole folder: the tool caches stay out.
  await mkdir(link, { recursive: true });
  for (const entry of await readdir(installed, { withFileTypes: true })) {
    if (TOOL_CACHE_FOLDERS.has(entry.name)) continue;
    const from = path.join(installed, entry.name);
    const to = path.join(link, entry.name);
    const target = workspaceLinks.get(entry.name);
    // A package folder the commit does not have (untracked) can only come from the installed tree.
    if (target !== undefined && existsSync(path.join(tree, target)))
      await symlink(path.join(tree, target), to, 'dir');
    else if (entry.isDirectory() && [...workspaceLinks.keys()].some((k) => k.startsWith(`${entry.name}/`)))
      // A scope folder (`@org`) with a workspace package in it.
      await linkInto({ ...opts, installed: from, link: to });
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
