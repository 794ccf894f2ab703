/**
 * The per-commit cache of what verification ran at the base commit (the typecheck's
 * diagnostics, the tests' outcomes), one JSON file per key in a repository's folder of
 * `SELFREVIEW_DATA_DIR/verify-cache`, beside the base's build info (build-info.ts).
 *
 * Every pushed commit adds entries (a large project's build info is megabytes), so entries
 * not used for VERIFY_CACHE_MAX_AGE_MS are removed (pruneVerifyCache); a read marks an
 * entry used. A removed entry is only computed again when a batch needs it.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { typescriptVersion } from './typescript-install.ts';

export class VerifyCache {
  constructor(
    /** Folder of this repository's per-commit cache; null: no cache. */
    readonly dir: string | null,
    /** The worktree the commands run in: its path is made relative in the keys. */
    private readonly worktreeDir: string,
    private readonly baseSha: string,
  ) {}

  /** The cache key: commit, command (worktree paths made relative) and, for tsc, its version. */
  key(kind: string, argv: readonly string[]): string {
    const relative = argv.map((a) => a.split(this.worktreeDir).join('.'));
    const tscVersion = argv.map(typescriptVersion).find(Boolean) ?? '';
    return createHash('sha256')
      .update(JSON.stringify([kind, this.baseSha, relative, tscVersion]))
      .digest('hex')
      .slice(0, 32);
  }

  async read<T>(key: string): Promise<T | null> {
    if (!this.dir) return null;
    const file = path.join(this.dir, `${key}.json`);
    try {
      const value = JSON.parse(await readFile(file, 'utf8')) as T;
      await markUsed(file);
      return value;
    } catch {
      return null;
    }
  }

  async write(key: string, value: unknown): Promise<void> {
    if (!this.dir) return;
    // Written whole and renamed: a crash, a second worker or a second batch of this worker
    // (fix.concurrency) never leaves half a file nor writes into another's temporary file.
    await writeFileAtomic(path.join(this.dir, `${key}.json`), JSON.stringify(value));
  }
}

/** How long an entry of the verification cache is kept without being used. */
export const VERIFY_CACHE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Each folder is looked through at most this often per process. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const lastPruned = new Map<string, number>();

/** Records a cache entry as used now (its modification time is its last use). */
export async function markUsed(file: string): Promise<void> {
  const now = new Date();
  await utimes(file, now, now).catch(() => {});
}

/**
 * Removes the entries of a repository's cache folder not used for `maxAgeMs`, at most once an
 * hour per folder (`force` skips that); returns how many went. A batch reading an entry that
 * goes meanwhile only finds no cache and computes it again.
 */
export async function pruneVerifyCache(
  dir: string,
  opts: { now?: number; maxAgeMs?: number; force?: boolean } = {},
): Promise<number> {
  const now = opts.now ?? Date.now();
  if (!opts.force && now - (lastPruned.get(dir) ?? 0) < PRUNE_INTERVAL_MS) return 0;
  lastPruned.set(dir, now);
  const maxAgeMs = opts.maxAgeMs ?? VERIFY_CACHE_MAX_AGE_MS;
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info === null || !info.isFile() || now - info.mtimeMs <= maxAgeMs) continue;
    await rm(file, { force: true });
    removed++;
  }
  return removed;
}
