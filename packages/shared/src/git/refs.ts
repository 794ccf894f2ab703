/**
 * Branches: where HEAD and any local branch point, and the `selfreview/*` branches selfreview
 * makes, notes on them, and finding them by run or by a commit they contain. Only
 * `selfreview/*` branches are ever deleted or annotated.
 */
import { GitError } from '../errors.ts';
import { failureReason, git, runGit } from './exec.ts';
import { assertBranchName, assertSelfreviewBranch, assertSha, BRANCH_PREFIX } from './names.ts';

export async function head(root: string): Promise<{ branch: string; sha: string }> {
  const sha = (await git(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd: root })).trim();
  let branch = (await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: root, what: 'symbolic-ref' })).trim();
  if (branch === 'HEAD') branch = sha; // detached
  return { branch, sha };
}

export async function hasCommits(root: string): Promise<boolean> {
  return (await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd: root })).code === 0;
}

/** The commit `refs/heads/<name>` points at, or null: git says "no such branch" by exit code alone. */
async function tipOf(root: string, name: string): Promise<string | null> {
  const res = await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${name}^{commit}`], {
    cwd: root,
  });
  return res.code === 0 ? res.stdout.trim() || null : null;
}

/**
 * The commit a local branch (any branch, e.g. the base branch) points at now, or null.
 * The name is checked to be a plain branch name, so it can never act as an option.
 */
export async function branchTip(root: string, name: string): Promise<string | null> {
  assertBranchName(name);
  return tipOf(root, name);
}

/** The commit a `selfreview/*` branch points at, or null when there is no such branch. */
export async function resolveBranch(root: string, name: string): Promise<string | null> {
  assertSelfreviewBranch(name);
  return tipOf(root, name);
}

/**
 * Facts selfreview keeps about one of its branches (which batch made it, from which commit),
 * in the branch's own git config section: they go when the branch is deleted.
 */
export async function setBranchNote(
  root: string,
  branch: string,
  key: 'batch' | 'base',
  value: string,
): Promise<void> {
  assertSelfreviewBranch(branch);
  if (!/^[A-Za-z0-9_.:-]{1,120}$/.test(value) || value.startsWith('-')) {
    throw new GitError(`refusing branch note value ${JSON.stringify(value)}`);
  }
  // Two processes writing .git/config at once: git refuses the second (config.lock); try again.
  for (let attempt = 0; ; attempt++) {
    const res = await runGit(['config', '--local', `branch.${branch}.selfreview-${key}`, value], {
      cwd: root,
    });
    if (res.code === 0) return;
    if (attempt >= 4 || res.timedOut || !/lock/i.test(res.stderr)) {
      throw new GitError(`git config failed: ${failureReason(res)}`);
    }
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
  }
}

/** A note setBranchNote left, or null (git's `config --get` says "unset" by exit code 1). */
export async function branchNote(
  root: string,
  branch: string,
  key: 'batch' | 'base',
): Promise<string | null> {
  assertSelfreviewBranch(branch);
  const res = await runGit(['config', '--local', '--get', `branch.${branch}.selfreview-${key}`], {
    cwd: root,
  });
  return res.code === 0 ? res.stdout.trim() || null : null;
}

export async function deleteBranch(root: string, name: string): Promise<void> {
  assertSelfreviewBranch(name);
  await git(['branch', '-D', '--', name], { cwd: root, what: 'branch -D' });
}

export async function listSelfreviewBranches(root: string): Promise<string[]> {
  const out = await git(['for-each-ref', '--format=%(refname:short)', `refs/heads/${BRANCH_PREFIX}`], {
    cwd: root,
  });
  return out.split('\n').filter(Boolean);
}

/**
 * The selfreview branches a run made: those whose tip commit carries the trailer
 * `Selfreview-Run: <runId>` (one for-each-ref, reading every tip's message at once).
 */
export async function branchesOfRun(root: string, runId: string): Promise<string[]> {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(runId)) throw new GitError(`not a run id: ${JSON.stringify(runId)}`);
  const out = await git(
    ['for-each-ref', '--format=%(refname:short)%00%(contents)%00%00', `refs/heads/${BRANCH_PREFIX}`],
    { cwd: root },
  );
  return out
    .split('\0\0')
    .map((record) => record.replace(/^\n/, '').split('\0'))
    .filter(
      ([name, message]) => name && message?.split('\n').some((l) => l.trim() === `Selfreview-Run: ${runId}`),
    )
    .map(([name]) => name as string);
}

/** `selfreview/*` branches whose history contains `sha`. */
export async function selfreviewBranchesContaining(root: string, sha: string): Promise<string[]> {
  assertSha(sha);
  const out = await git(
    ['branch', '--format=%(refname:short)', '--contains', sha, '--list', `${BRANCH_PREFIX}*`],
    { cwd: root },
  );
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
