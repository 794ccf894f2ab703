/**
 * The fix branches a run made, found in the repository rather than in Redis: when Redis lost the
 * run's record, git still has every branch the run committed, each marked by its commit's trailer.
 */
import type { Repository } from '@selfreview/shared/workspace';

export type RunBranch = { branch: string; commit: string; subject: string; files: string[] };

/** `selfreview/*` branches whose tip commit carries `Selfreview-Run: <runId>`, by name, with what each holds. */
export async function findRunBranches(
  repo: Repository,
  runId: string,
  baseSha: string,
): Promise<RunBranch[]> {
  const found: RunBranch[] = [];
  for (const branch of (await repo.branchesOfRun(runId)).sort()) {
    const tip = await repo.branchTip(branch);
    // A branch whose batch never committed points at the base: it holds no fix of this run.
    if (!tip || tip === baseSha) continue;
    const message = await repo.commitMessage(tip);
    found.push({
      branch,
      commit: tip,
      subject: message.split('\n')[0] ?? '',
      files: await repo.changedFiles(baseSha, tip).catch(() => []),
    });
  }
  return found;
}
