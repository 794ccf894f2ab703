/**
 * A snapshot of a repository at a commit, written from git objects into a folder scan
 * owns: the compiler needs files on disk, and the user's working tree (which may differ
 * from the commit, and must never be written) is not used. Only regular files are
 * written, so no symbolic link of the repository is ever followed out of it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Repository } from '@selfreview/shared/workspace';

/** What the compiler may read: sources, declarations, JSON (configs, package.json, imports) and JS. */
const SNAPSHOT_FILE = /\.(?:[cm]?tsx?|json|[cm]?jsx?)$/;
const SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024;
const READ_CHUNK = 400;

export type TreeEntry = { path: string; size: number; mode: string };

export function snapshotFiles(tree: readonly TreeEntry[]): string[] {
  return tree
    .filter((e) => e.mode !== '120000' && e.mode !== '160000')
    .filter((e) => e.size <= SNAPSHOT_MAX_BYTES && SNAPSHOT_FILE.test(e.path))
    .filter((e) => !e.path.split('/').some((seg) => seg === 'node_modules' || seg === '.git'))
    .map((e) => e.path);
}

/**
 * Writes the files at `sha` into `dir` and returns their texts. Where the repository has
 * installed dependencies (`node_modules` beside a package.json), the snapshot links to
 * them so imports resolve as they do for the repository's own compiler.
 */
export async function writeSnapshot(
  repo: Repository,
  sha: string,
  files: readonly string[],
  dir: string,
): Promise<Map<string, string>> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const texts = new Map<string, string>();
  const dirs = new Set<string>();
  for (let i = 0; i < files.length; i += READ_CHUNK) {
    const chunk = await repo.readFiles(sha, files.slice(i, i + READ_CHUNK));
    for (const [file, text] of chunk) {
      texts.set(file, text);
      const parent = path.join(dir, path.dirname(file));
      if (!dirs.has(parent)) {
        await mkdir(parent, { recursive: true });
        dirs.add(parent);
      }
    }
    await Promise.all([...chunk].map(([file, text]) => writeFile(path.join(dir, file), text)));
  }
  const repoRoot = await realpath(repo.root);
  for (const manifest of files.filter((f) => path.posix.basename(f) === 'package.json')) {
    const rel = path.posix.dirname(manifest);
    const installed = path.join(repo.root, rel, 'node_modules');
    const link = path.join(dir, rel, 'node_modules');
    if (existsSync(installed) && !existsSync(link)) await linkDependencies(installed, link, repoRoot, dir);
  }
  return texts;
}

/**
 * Makes `installed` (a node_modules folder of the repository) visible at `link` in the
 * snapshot. Workspaces (pnpm, yarn, npm) link the repository's own packages into
 * node_modules (`node_modules/zod -> ../packages/zod`); followed as they are, those links
 * lead the compiler out of the snapshot into the working tree, and it loads a second copy
 * of each such package (the working tree's, not the commit's) beside the snapshot's. On
 * zod, two copies of its deeply generic types made the root project's check grow past
 * 6 GB and 10 minutes instead of 1 minute. So a folder holding such links is rebuilt in
 * the snapshot with those links pointing at the snapshot's copy, and everything else
 * linked to the installed entry; a folder without them is linked whole, as before.
 * Third-party packages inside the store (`.pnpm/ai@x_zod@packages+zod/...`) still reach
 * the working tree: rebuilding them would mean copying their files.
 */
async function linkDependencies(installed: string, link: string, repoRoot: string, snapshot: string) {
  const workspaceLinks = await workspaceLinksIn(installed, repoRoot);
  if (workspaceLinks.size === 0) {
    await symlink(installed, link, 'dir');
    return;
  }
  await mkdir(link, { recursive: true });
  for (const entry of await readdir(installed, { withFileTypes: true })) {
    const from = path.join(installed, entry.name);
    const to = path.join(link, entry.name);
    const target = workspaceLinks.get(entry.name);
    // A package folder the commit does not have (untracked) can only come from the working tree.
    if (target !== undefined && existsSync(path.join(snapshot, target)))
      await symlink(path.join(snapshot, target), to, 'dir');
    else if (entry.isDirectory() && [...workspaceLinks.keys()].some((k) => k.startsWith(`${entry.name}/`)))
      // A scope folder (`@org`) with a workspace package in it.
      await linkDependencies(from, to, repoRoot, snapshot);
    else await symlink(from, to, entry.isDirectory() ? 'dir' : 'file');
  }
}

/**
 * The entries of a node_modules folder (and of its `@scope` folders) that are links into
 * the repository's own files, by entry name (`zod`, `@org/lib`), with their target as a
 * repository path.
 */
async function workspaceLinksIn(installed: string, repoRoot: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  const visit = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && entry.name.startsWith('@') && prefix === '') {
        await visit(full, `${entry.name}/`);
        continue;
      }
      if (!entry.isSymbolicLink()) continue;
      const target = await realpath(full).catch(() => null);
      if (target === null) continue;
      const rel = path.relative(repoRoot, target);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
      if (rel.split(path.sep).includes('node_modules')) continue;
      links.set(`${prefix}${entry.name}`, rel.split(path.sep).join('/'));
    }
  };
  await visit(installed, '');
  return links;
}

/** Replaces a file the compiler would choke on (a syntax error stops all semantic checking). */
export async function neutralize(dir: string, file: string): Promise<void> {
  await writeFile(path.join(dir, file), 'export {};\n');
}
