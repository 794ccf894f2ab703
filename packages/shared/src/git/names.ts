/**
 * The checks every string from outside (a job, a config file, a repository) passes before it
 * reaches git's command line: commit ids, branch names, paths, remote names. Each accepts only
 * shapes git cannot read as an option, so no argument selfreview builds turns into one.
 */
import { GitError } from '../errors.ts';

const SHA = /^[0-9a-f]{40}$/;
/** Branches selfreview creates; it refuses to create, move or delete any other. */
export const BRANCH_PREFIX = 'selfreview/';
const SAFE_BRANCH = /^selfreview\/[A-Za-z0-9._/-]{1,200}$/;
/** A remote's name as `git remote add` accepts it, and never an option. */
const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Who selfreview's commits are by, set per command (never in a config file). */
export const COMMITTER = { name: 'selfreview', email: 'selfreview@localhost' };

/** `-c` arguments naming COMMITTER as author and committer. */
export const COMMITTER_ARGS: readonly string[] = [
  '-c',
  `user.name=${COMMITTER.name}`,
  '-c',
  `user.email=${COMMITTER.email}`,
];

export function assertSha(sha: string): void {
  if (!SHA.test(sha)) throw new GitError(`not a commit id: ${JSON.stringify(sha)}`);
}

export function assertSelfreviewBranch(name: string): void {
  if (!SAFE_BRANCH.test(name) || name.includes('..') || name.endsWith('.lock') || name.endsWith('/')) {
    throw new GitError(
      `refusing branch name ${JSON.stringify(name)}: only ${BRANCH_PREFIX}* branches are managed`,
    );
  }
}

/** Any local branch (the base branch, say): only read, so it need not be a selfreview one. */
export function assertBranchName(name: string): void {
  if (!/^[A-Za-z0-9._/-]{1,200}$/.test(name) || name.startsWith('-') || name.includes('..')) {
    throw new GitError(`not a branch name: ${JSON.stringify(name)}`);
  }
}

/** A repo-relative path we are willing to hand to git (always after `--` or in `<sha>:<path>`). */
export function assertRepoPath(p: string): void {
  if (
    p.length === 0 ||
    p.startsWith('/') ||
    p.startsWith('-') ||
    p.split('/').includes('..') ||
    /[\n\0]/.test(p)
  ) {
    throw new GitError(`unsafe path: ${JSON.stringify(p)}`);
  }
}

export function assertRemoteName(remote: string): void {
  if (!REMOTE_NAME.test(remote)) throw new GitError(`not a remote name: ${JSON.stringify(remote)}`);
}
