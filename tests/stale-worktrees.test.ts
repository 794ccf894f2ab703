/**
 * A fix worker starting up removes the worktrees a crashed one left, in every repository it
 * worked on, and only those: a worktree whose owner still runs stays.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  claimWorktree,
  markWorktreeRoot,
  pruneStaleWorktrees,
  releaseWorktree,
} from '@selfreview/fix/stale-worktrees';
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

  it('keeps worktrees whose owner runs, removes those of dead owners with the branch they left empty', async () => {
    const dir = await makeRepo({ 'a.ts': 'export {};\n' });
    const dataDir = await tempDir();
    try {
      const repo = await Repository.open(dir);
      const sha = await git(dir, 'rev-parse', 'HEAD');
      const root = path.join(dataDir, 'worktrees', 'r');
      await markWorktreeRoot(root, repo.root);
      const make = async (batch: string) => {
        const wt = path.join(root, batch);
        await claimWorktree(wt, batch);
        await repo.setBranchNote(`selfreview/${batch}`, 'batch', batch);
        await repo.setBranchNote(`selfreview/${batch}`, 'base', sha);
        await repo.addWorktree(wt, sha, `selfreview/${batch}`);
        return wt;
      };
      const live = await make('live');
      const dead = await make('dead');
      // A process that has exited: its pid names nobody now (or somebody else, started later).
      const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      const marker = JSON.parse(await readFile(`${dead}.owner`, 'utf8'));
      await writeFile(
        `${dead}.owner`,
        JSON.stringify({ ...marker, pid: Number(exited.stdout), startTicks: '1' }),
      );
      const elsewhere = await make('elsewhere');
      await writeFile(`${elsewhere}.owner`, JSON.stringify({ ...marker, host: 'another-host' }));
      // A committed branch survives its worktree's removal.
      const committed = await make('committed');
      await writeFile(
        `${committed}.owner`,
        JSON.stringify({ ...marker, pid: Number(exited.stdout), startTicks: '1' }),
      );
      await writeFile(path.join(committed, 'a.ts'), 'export const a = 1;\n');
      await git(committed, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'work');

      expect(await pruneStaleWorktrees(dataDir)).toBe(2);
      expect(existsSync(live)).toBe(true);
      expect(existsSync(elsewhere)).toBe(true);
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(`${dead}.owner`)).toBe(false);
      expect(existsSync(committed)).toBe(false);
      const branches = (
        await git(dir, 'branch', '--list', 'selfreview/*', '--format=%(refname:short)')
      ).split('\n');
      expect(branches.sort()).toEqual(['selfreview/committed', 'selfreview/elsewhere', 'selfreview/live']);

      await repo.removeWorktree(live);
      await releaseWorktree(live);
      expect(existsSync(`${live}.owner`)).toBe(false);
    } finally {
      await removeDir(dir);
      await removeDir(dataDir);
    }
  });
});
