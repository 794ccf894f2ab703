/**
 * Incremental typecheck for a batch: the base commit's `.tsbuildinfo`, kept in the per-commit
 * cache beside the base diagnostics, lets a batch's `tsc --incremental` recheck only the files
 * that changed and those whose view of them changed, and replay the base's diagnostics for the
 * rest. tsc itself compares every file by a hash of its text, so an edit, a restored file or a
 * different dependency is rechecked whatever the file says.
 *
 * The file lives in the worktree (the one folder tsc may write in the sandbox), at the same place
 * in every worktree: tsc stores paths relative to it, so a copy made in another batch's worktree
 * names this worktree's files. It is untracked there and never staged (the gates leave out new
 * files nobody asked for). What is copied in is checked against the hash recorded with the base
 * diagnostics; anything unexpected means no file, and tsc then checks everything.
 *
 * The base run starts from a seed: the build info of the same project with no files (a
 * tsconfig that extends it with empty `files` and `include`). Built from nothing, tsc records
 * each file's own version as its "signature" and computes none, so a later change to any file
 * counts as a change of its declarations and every file that imports it, transitively, is
 * checked again (on date-fns, removing an unused import from `toDate` rechecked 797 of 1,819
 * files). Built from a state, even an empty one, it records each file's declaration signature,
 * and an edit that leaves a file's declarations alone rechecks that file only. The base run
 * still checks every file: none of them is in the seed.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { markUsed } from './verification-cache.ts';

/** Worktree-relative folder of the build info files. */
export const BUILD_INFO_DIR = '.selfreview-tsc';

/**
 * The first TypeScript whose `--incremental --noEmit` selfreview trusts (4.0 allowed the pair;
 * the 4.x builder had bugs with it): older ones, or a version we can't read, check in full.
 */
const FIRST_TRUSTED_MAJOR = 5;

/** The worktree-relative build info file of `project`, or null: the compiler runs in full. */
export function buildInfoFile(project: string, tscVersion: string): string | null {
  const major = Number(/^(\d+)\./.exec(tscVersion)?.[1]);
  if (!Number.isInteger(major) || major < FIRST_TRUSTED_MAJOR) return null;
  const name = createHash('sha256').update(project).digest('hex').slice(0, 16);
  return `${BUILD_INFO_DIR}/${name}.tsbuildinfo`;
}

/** The tsc flags that read and write `file` (worktree-relative, as tsc runs in the worktree). */
export function incrementalFlags(file: string): string[] {
  return ['--incremental', '--tsBuildInfoFile', file];
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The seed's tsconfig (worktree-relative) beside the build info `file`. */
function seedConfig(file: string): string {
  return file.replace(/\.tsbuildinfo$/, '.seed.json');
}

/**
 * Writes the seed's tsconfig for `project` in the worktree and returns the argv that builds the
 * seed into `file`: `argv` (the project's check) with the seed in place of the project.
 */
export async function writeSeed(
  worktree: string,
  file: string,
  project: string,
  argv: readonly string[],
): Promise<string[]> {
  const seed = seedConfig(file);
  const extendsPath = path.posix.relative(path.posix.dirname(seed), project);
  await mkdir(path.dirname(path.join(worktree, seed)), { recursive: true });
  await writeFile(
    path.join(worktree, seed),
    JSON.stringify({ extends: extendsPath, files: [], include: [] }),
  );
  const at = argv.indexOf('-p');
  if (at < 0 || argv[at + 1] !== project) throw new Error(`not a check of ${project}: ${argv.join(' ')}`);
  return [...argv.slice(0, at + 1), seed, ...argv.slice(at + 2)];
}

/** Removes the seed's tsconfig. */
export async function removeSeed(worktree: string, file: string): Promise<void> {
  await rm(path.join(worktree, seedConfig(file)), { force: true });
}

/** Whether tsc left a build info file at `file`. */
export function hasBuildInfo(worktree: string, file: string): boolean {
  return existsSync(path.join(worktree, file));
}

/** Removes the worktree's build info file: the next run checks everything. */
export async function forgetBuildInfo(worktree: string, file: string): Promise<void> {
  await rm(path.join(worktree, file), { force: true });
}

/**
 * Keeps the build info the base run left in the worktree as `<key>.tsbuildinfo` in the cache;
 * its hash, or null when there is none (tsc did not write one) or no cache.
 */
export async function saveBuildInfo(
  cacheDir: string | null,
  key: string,
  worktree: string,
  file: string,
): Promise<string | null> {
  if (!cacheDir) return null;
  const data = await readFile(path.join(worktree, file)).catch(() => null);
  if (data === null || data.length === 0) return null;
  // Written whole and renamed: a crash or a second batch never leaves half a file. Two batches
  // of one commit may each save theirs and record its hash: a file whose hash is not the one
  // recorded is never used (restoreBuildInfo), the check then runs in full.
  await writeFileAtomic(path.join(cacheDir, `${key}.tsbuildinfo`), data);
  return sha256(data);
}

/**
 * Puts the cached base build info in the worktree when its bytes hash to `expected`; else
 * leaves none there. Whether it is there now.
 */
export async function restoreBuildInfo(
  cacheDir: string | null,
  key: string,
  expected: string | null,
  worktree: string,
  file: string,
): Promise<boolean> {
  await forgetBuildInfo(worktree, file);
  if (!cacheDir || !expected) return false;
  const cached = path.join(cacheDir, `${key}.tsbuildinfo`);
  const data = await readFile(cached).catch(() => null);
  if (data !== null) await markUsed(cached);
  if (data === null || sha256(data) !== expected) return false;
  await mkdir(path.dirname(path.join(worktree, file)), { recursive: true });
  await writeFile(path.join(worktree, file), data);
  return true;
}
