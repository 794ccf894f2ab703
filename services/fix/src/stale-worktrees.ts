/**
 * Worktrees a crashed fix worker left behind. Each repository's worktrees live under
 * `<dataDir>/worktrees/<hash of the repository path>/`, beside a `.repo` file naming the
 * repository, so a worker starting up can find and remove them without knowing which
 * repositories it will serve.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Repository } from '@selfreview/shared/workspace';

const MARKER = '.repo';

/** Records which repository a worktree folder belongs to (called before adding worktrees there). */
export async function markWorktreeRoot(worktreeRoot: string, repoRoot: string): Promise<void> {
  await mkdir(worktreeRoot, { recursive: true });
  await writeFile(path.join(worktreeRoot, MARKER), `${repoRoot}\n`);
}

/** Removes every worktree under `<dataDir>/worktrees`; returns how many were removed. */
export async function pruneStaleWorktrees(dataDir: string): Promise<number> {
  const root = path.join(dataDir, 'worktrees');
  const folders = await readdir(root, { withFileTypes: true }).catch(() => []);
  let removed = 0;
  for (const folder of folders.filter((f) => f.isDirectory())) {
    const worktreeRoot = path.join(root, folder.name);
    const repoRoot = (await readFile(path.join(worktreeRoot, MARKER), 'utf8').catch(() => '')).trim();
    if (repoRoot) {
      const repo = await Repository.open(repoRoot).catch(() => null);
      if (repo) removed += await repo.pruneWorktreesUnder(worktreeRoot).catch(() => 0);
    }
    // Whatever git no longer knows (or a repository that is gone) is only files now.
    for (const entry of await readdir(worktreeRoot, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory())
        await rm(path.join(worktreeRoot, entry.name), { recursive: true, force: true });
    }
  }
  return removed;
}
