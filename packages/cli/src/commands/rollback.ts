/**
 * `selfreview rollback <branch | fix commit> [--repo PATH] [--into BRANCH]`: undoes a fix.
 * A fix that was never merged is undone by deleting its branch. A merged one is undone by
 * a revert commit on a new `selfreview/revert-*` branch made from the target branch's
 * tip, for a person to review and merge: shared history is never reset, and the user's
 * working tree and checked-out branch are never touched.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { UserInputError } from '@selfreview/shared/errors';
import { BRANCH_PREFIX, Repository } from '@selfreview/shared/workspace';

const TRAILER_BATCH = /^Selfreview-Batch:\s*(\S+)/m;
const TRAILER_ROLLBACK = /^Rollback-Ref:\s*([0-9a-f]{40})/m;

export type RollbackOptions = { ref: string; repo: string; into?: string; out: NodeJS.WritableStream };

export type RollbackOutcome =
  | { action: 'deleted_branch'; branches: string[]; commits: string[] }
  | { action: 'reverted'; branch: string; revertCommit: string; commits: string[]; into: string };

export async function rollbackCommand(opts: RollbackOptions): Promise<RollbackOutcome> {
  const say = (line: string) => opts.out.write(`${line}\n`);
  const repo = await Repository.open(opts.repo);
  const into = opts.into ?? (await repo.head()).branch;
  const intoTip = await repo.branchTip(into);
  if (!intoTip) throw new UserInputError(`no branch ${JSON.stringify(into)} to check the fix against`);
  const { commits, branches } = await fixCommits(repo, opts.ref, intoTip);

  const merged: string[] = [];
  for (const c of commits) if (await repo.isAncestor(c, intoTip)) merged.push(c);
  if (merged.length === 0) {
    for (const b of branches) await repo.deleteBranch(b);
    say(
      `Deleted ${branches.map((b) => `branch ${b}`).join(', ') || 'nothing'}: the fix (${short(commits)}) was never merged into ${into}. Nothing else changed.`,
    );
    return { action: 'deleted_branch', branches, commits };
  }

  // Merged: revert on a branch of its own, from the target's tip, in a worktree of ours.
  const revertBranch = `${BRANCH_PREFIX}revert-${merged[0]?.slice(0, 10)}`;
  if (await repo.branchExists(revertBranch)) {
    throw new UserInputError(
      `${revertBranch} already exists: the revert was made before; review and merge it`,
    );
  }
  const dir = path.join(os.tmpdir(), `selfreview-rollback-${randomUUID()}`);
  const worktree = await repo.addWorktree(dir, intoTip, revertBranch);
  try {
    // rev-list order is newest first, the order reverts must be applied in.
    const revertCommit = await worktree.revert(merged);
    say(
      `The fix (${short(merged)}) is merged into ${into}: made branch ${revertBranch} with revert commit ${revertCommit.slice(0, 7)} on top of ${into}. Review and merge it; no history was rewritten and your working tree is untouched.`,
    );
    return { action: 'reverted', branch: revertBranch, revertCommit, commits: merged, into };
  } finally {
    await repo.removeWorktree(dir);
  }
}

/**
 * The fix commits a reference names, newest first, and the fix branches that hold them. The
 * reference is a fix branch, a fix commit, or a fix id (the batch id in the report's `fixes[]`
 * and in the commit's Selfreview-Batch trailer).
 */
async function fixCommits(
  repo: Repository,
  ref: string,
  intoTip: string,
): Promise<{ commits: string[]; branches: string[] }> {
  if (ref.startsWith(BRANCH_PREFIX)) {
    const tip = await repo.resolveBranch(ref).catch(() => null);
    if (!tip) throw new UserInputError(`no branch ${JSON.stringify(ref)} in ${repo.root}`);
    const base = TRAILER_ROLLBACK.exec(await repo.commitMessage(tip))?.[1];
    if (!base)
      throw new UserInputError(`${ref} is not a selfreview fix branch (its tip has no Rollback-Ref trailer)`);
    return { commits: await repo.commitsBetween(base, tip), branches: [ref] };
  }
  const sha = await repo.resolveCommit(ref);
  if (!sha && FIX_ID.test(ref)) return byFixId(repo, ref, intoTip);
  if (!sha)
    throw new UserInputError(
      `${JSON.stringify(ref)} is neither a selfreview/* branch, a commit nor a fix id of ${repo.root}`,
    );
  if (!TRAILER_BATCH.test(await repo.commitMessage(sha))) {
    throw new UserInputError(
      `${sha.slice(0, 7)} is not a selfreview fix commit (no Selfreview-Batch trailer)`,
    );
  }
  return { commits: [sha], branches: await repo.selfreviewBranchesContaining(sha) };
}

const FIX_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** A fix id: the commits on fix branches and on the target branch that carry its batch trailer. */
async function byFixId(
  repo: Repository,
  id: string,
  intoTip: string,
): Promise<{ commits: string[]; branches: string[] }> {
  const branches: string[] = [];
  const commits = new Set(await repo.commitsWithTrailer('Selfreview-Batch', id, intoTip));
  for (const branch of await repo.listSelfreviewBranches()) {
    const tip = await repo.resolveBranch(branch);
    if (!tip) continue;
    const own = await repo.commitsWithTrailer('Selfreview-Batch', id, tip);
    if (own.length === 0) continue;
    branches.push(branch);
    for (const c of own) commits.add(c);
  }
  if (commits.size === 0)
    throw new UserInputError(`no selfreview fix with id ${JSON.stringify(id)} in ${repo.root}`);
  return { commits: [...commits], branches };
}

function short(commits: readonly string[]): string {
  return commits.map((c) => c.slice(0, 7)).join(', ');
}
