/**
 * Fix worktrees and who owns them. Each repository's worktrees live under
 * `<dataDir>/worktrees/<hash of the repository path>/`, beside a `.repo` file naming the
 * repository, and each worktree `<batch>` has a `<batch>.owner` marker naming the process
 * that works in it (pid, start time, boot, host). Several workers and several runs may share
 * a data folder and a repository: a worktree is removed only when its owner is gone, never
 * because someone else starts up.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  currentProcess,
  ownerLiveness,
  type ProcessIdentity,
  parseIdentity,
} from '@selfreview/shared/process-identity';
import { Repository } from '@selfreview/shared/workspace';

const MARKER = '.repo';
const OWNER_SUFFIX = '.owner';

/** Records which repository a worktree folder belongs to (called before adding worktrees there). */
export async function markWorktreeRoot(worktreeRoot: string, repoRoot: string): Promise<void> {
  await mkdir(worktreeRoot, { recursive: true });
  await writeFile(path.join(worktreeRoot, MARKER), `${repoRoot}\n`);
}

/** Marks `dir` as this process's (written before the worktree is added, so no one prunes it meanwhile). */
export async function claimWorktree(dir: string, batchId: string): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  const owner = { ...currentProcess(), batchId, since: new Date().toISOString() };
  await writeFile(`${dir}${OWNER_SUFFIX}`, `${JSON.stringify(owner)}\n`);
}

export async function releaseWorktree(dir: string): Promise<void> {
  await rm(`${dir}${OWNER_SUFFIX}`, { force: true });
}

/** Who works in `dir`, by its marker; null when there is no readable marker. */
export async function worktreeOwner(dir: string): Promise<ProcessIdentity | null> {
  const text = await readFile(`${dir}${OWNER_SUFFIX}`, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return parseIdentity(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * Whether a worktree folder is in use: its owner runs (or may run: another host's). A folder
 * without a marker was left by a version that wrote none, or by a crash between the two
 * steps of a removal: nobody's.
 */
export async function worktreeInUse(dir: string): Promise<boolean> {
  const owner = await worktreeOwner(dir);
  return owner !== null && ownerLiveness(owner) !== 'dead';
}

/**
 * Removes the worktrees under one repository's folder whose owners are gone, their markers,
 * and the branches they left without a commit (a batch that died before committing).
 * Returns how many worktrees were removed.
 */
export async function pruneDeadWorktrees(repo: Repository, worktreeRoot: string): Promise<number> {
  // Liveness is read from each worktree's own marker, which is written before git registers
  // the worktree or makes its folder: one being made right now is never taken for dead.
  const registered = (await repo.listWorktrees().catch(() => [])).filter((w) =>
    w.dir.startsWith(worktreeRoot + path.sep),
  );
  const dead: typeof registered = [];
  for (const w of registered) if (!(await worktreeInUse(w.dir))) dead.push(w);
  for (const w of dead) await repo.removeWorktree(w.dir);
  for (const w of dead) if (w.branch) await deleteIfEmpty(repo, w.branch);
  // Whatever git no longer knows is only files now; markers of owners that are gone go too.
  for (const e of await readdir(worktreeRoot, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(worktreeRoot, e.name);
    if (e.isDirectory() && !(await worktreeInUse(full))) await rm(full, { recursive: true, force: true });
    if (e.isFile() && e.name.endsWith(OWNER_SUFFIX)) {
      const dir = full.slice(0, -OWNER_SUFFIX.length);
      if (!(await worktreeInUse(dir))) await rm(full, { force: true });
    }
  }
  return dead.length;
}

/** A selfreview branch that never got a commit beyond the commit it was made at is only noise. */
export async function deleteIfEmpty(repo: Repository, branch: string): Promise<boolean> {
  if (!branch.startsWith('selfreview/')) return false;
  const base = await repo.branchNote(branch, 'base');
  const tip = await repo.resolveBranch(branch).catch(() => null);
  if (!base || !tip || tip !== base) return false;
  await repo.deleteBranch(branch).catch(() => {});
  return true;
}

/** Removes the dead worktrees of every repository under `<dataDir>/worktrees`; returns how many. */
export async function pruneStaleWorktrees(dataDir: string): Promise<number> {
  const root = path.join(dataDir, 'worktrees');
  const folders = await readdir(root, { withFileTypes: true }).catch(() => []);
  let removed = 0;
  for (const folder of folders.filter((f) => f.isDirectory())) {
    const worktreeRoot = path.join(root, folder.name);
    const repoRoot = (await readFile(path.join(worktreeRoot, MARKER), 'utf8').catch(() => '')).trim();
    const repo = repoRoot ? await Repository.open(repoRoot).catch(() => null) : null;
    if (repo) {
      removed += await pruneDeadWorktrees(repo, worktreeRoot).catch(() => 0);
      continue;
    }
    // The repository is gone: its worktrees are only files, but a live owner's stay.
    for (const entry of await readdir(worktreeRoot, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(worktreeRoot, entry.name);
      if (entry.isDirectory() && !(await worktreeInUse(full))) {
        await rm(full, { recursive: true, force: true });
        await releaseWorktree(full);
      }
    }
  }
  return removed;
}
