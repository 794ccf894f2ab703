/**
 * The fix branches a run made, found in the repository rather than in Redis: when Redis lost the
 * run's record, git still has every branch the run committed, each marked by its commit's trailer.
 */
import type { Repository } from '@selfreview/shared/workspace';

/** Written by the fix worker into every fix commit (services/fix/src/branch.ts, commitMessage). */
const TRAILER_RUN = 'Selfreview-Run';

export type RunBranch = { branch: string; commit: string; subject: string; files: string[] };

/** `selfreview/*` branches whose tip commit carries `Selfreview-Run: <runId>`, by name. */
export async function findRunBranches(
  repo: Repository,
  runId: string,
  baseSha: string,
): Promise<RunBranch[]> {
  const line = `${TRAILER_RUN}: ${runId}`;
  const found: RunBranch[] = [];
  for (const branch of (await repo.listSelfreviewBranches()).sort()) {
    const tip = await repo.branchTip(branch);
    // A branch whose batch never committed points at the base: it holds no fix of this run.
    if (!tip || tip === baseSha) continue;
    const message = await repo.commitMessage(tip);
    if (!message.split('\n').some((l) => l.trim() === line)) continue;
    found.push({
      branch,
      commit: tip,
      subject: message.split('\n')[0] ?? '',
      files: await repo.changedFiles(baseSha, tip).catch(() => []),
    });
  }
  return found;
}
