/** A fix worker starting up removes the worktrees a crashed one left, in every repository it worked on. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { markWorktreeRoot, pruneStaleWorktrees } from '@selfreview/fix/stale-worktrees';
import { Repository } from '@selfreview/shared/workspace';
import { describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';

describe('pruneStaleWorktrees', () => {
  it('removes registered worktrees and leftover folders, and leaves the repositories intact', async () => {
    const repoA = await makeRepo({ 'a.ts': 'export {};\n' });
    const repoB = await makeRepo({ 'b.ts': 'export {};\n' });
    const dataDir = await tempDir();
    try {
      for (const [name, dir] of [
        ['a', repoA],
        ['b', repoB],
      ] as const) {
        const repo = await Repository.open(dir);
        const root = path.join(dataDir, 'worktrees', name);
        await markWorktreeRoot(root, repo.root);
        await repo.addWorktree(
          path.join(root, 'batch-1'),
          await git(dir, 'rev-parse', 'HEAD'),
          `selfreview/crashed-${name}`,
        );
      }
      const orphan = path.join(dataDir, 'worktrees', 'gone', 'batch-9');
      await markWorktreeRoot(path.dirname(orphan), '/nonexistent/repository');
      await markWorktreeRoot(orphan, '/nonexistent/repository');

      expect(await pruneStaleWorktrees(dataDir)).toBe(2);
      expect(existsSync(path.join(dataDir, 'worktrees', 'a', 'batch-1'))).toBe(false);
      expect(existsSync(orphan)).toBe(false);
      for (const dir of [repoA, repoB]) {
        expect((await git(dir, 'worktree', 'list')).split('\n')).toHaveLength(1);
      }
      // Nothing to do the second time; a data folder without worktrees is fine too.
      expect(await pruneStaleWorktrees(dataDir)).toBe(0);
      expect(await pruneStaleWorktrees(await tempDir())).toBe(0);
    } finally {
      await removeDir(repoA);
      await removeDir(repoB);
      await removeDir(dataDir);
    }
  });
});
