/**
 * A snapshot of a repository at a commit, written from git objects into a folder scan
 * owns: the compiler needs files on disk, and the user's working tree (which may differ
 * from the commit, and must never be written) is not used. Only regular files are
 * written, so no symbolic link of the repository is ever followed out of it.
 */
import { existsSync } from 'node:fs';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { linkDependencies, workspacePackages } from '@selfreview/shared/dependencies';
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
 * them so imports resolve as they do for the repository's own compiler, its own workspace
 * packages to the snapshot's copy (`@selfreview/shared/dependencies`).
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
  const manifests = files.filter((f) => path.posix.basename(f) === 'package.json');
  const packages = workspacePackages(new Map(manifests.map((f) => [f, texts.get(f) ?? ''])));
  for (const manifest of manifests) {
    const rel = path.posix.dirname(manifest);
    const installed = path.join(repo.root, rel, 'node_modules');
    const link = path.join(dir, rel, 'node_modules');
    if (existsSync(installed) && !existsSync(link))
      await linkDependencies({ installed, link, tree: dir, repoRoot, packages });
  }
  return texts;
}

/** Replaces a file the compiler would choke on (a syntax error stops all semantic checking). */
export async function neutralize(dir: string, file: string): Promise<void> {
  await writeFile(path.join(dir, file), 'export {};\n');
}
