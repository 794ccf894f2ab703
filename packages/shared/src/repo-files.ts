/**
 * What a repository holds for selfreview: its config file and its TypeScript
 * sources at a commit. Selection is pure (`selectSourceFiles`); reading goes
 * through the git adapter.
 */
import picomatch from 'picomatch';
import { defaultRepoConfig, parseRepoConfig, REPO_CONFIG_FILES, type RepoConfig } from './config.ts';
import type { Repository } from './workspace.ts';

export const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'] as const;
/** Folders that hold dependencies or build output, never source to fix. */
export const SKIPPED_DIRS = ['node_modules', 'dist', 'build', 'out', 'coverage', '.next', '.turbo', '.git'];
/** Files past this size are generated or bundled far more often than written by hand. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

export async function loadRepoConfigAt(repo: Repository, sha: string): Promise<RepoConfig> {
  const found = await repo.readFiles(sha, REPO_CONFIG_FILES);
  for (const name of REPO_CONFIG_FILES) {
    const text = found.get(name);
    if (text !== undefined) return parseRepoConfig(text, name);
  }
  return defaultRepoConfig();
}

export type SourceSelection = { files: string[]; skipped: { file: string; reason: string }[] };

export function isTypeScriptSource(file: string): boolean {
  if (/\.d\.[mc]?ts$/.test(file)) return false;
  return TS_EXTENSIONS.some((ext) => file.endsWith(ext));
}

/** Picks the TypeScript sources to scan from a tree listing; says why anything was left out. */
export function selectSourceFiles(
  tree: readonly { path: string; size: number; mode: string }[],
  config: Pick<RepoConfig, 'ignore'>,
): SourceSelection {
  const ignored = config.ignore.length > 0 ? picomatch(config.ignore, { dot: true }) : () => false;
  const files: string[] = [];
  const skipped: SourceSelection['skipped'] = [];
  for (const entry of tree) {
    if (!isTypeScriptSource(entry.path)) continue;
    if (entry.path.split('/').some((seg) => SKIPPED_DIRS.includes(seg))) continue;
    // 120000 is a symbolic link, 160000 a submodule: neither is this repository's source.
    if (entry.mode === '120000' || entry.mode === '160000') {
      skipped.push({ file: entry.path, reason: 'symbolic link or submodule' });
      continue;
    }
    if (ignored(entry.path)) continue;
    if (entry.size > MAX_SOURCE_BYTES) {
      skipped.push({ file: entry.path, reason: `larger than ${MAX_SOURCE_BYTES} bytes` });
      continue;
    }
    files.push(entry.path);
  }
  return { files: files.sort(), skipped };
}

export function hasRootTsconfig(tree: readonly { path: string }[]): boolean {
  return tree.some((e) => e.path === 'tsconfig.json');
}
