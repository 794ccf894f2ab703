/**
 * The per-commit cache of what verification ran at the base commit (the typecheck's
 * diagnostics, the tests' outcomes), one JSON file per key in a repository's folder of
 * `SELFREVIEW_DATA_DIR/verify-cache`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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
    try {
      return JSON.parse(await readFile(path.join(this.dir, `${key}.json`), 'utf8')) as T;
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
