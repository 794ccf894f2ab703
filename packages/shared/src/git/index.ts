/**
 * The git adapter, `@selfreview/shared/git`: everything selfreview does to a repository.
 * `Repository` and `Worktree` are what the services use; the runner and the checks are
 * exported for code that needs a git command the adapter does not have yet.
 */
export {
  GIT_HARDENING,
  GIT_HARDENING_ARGS,
  GIT_TIMEOUT_MS,
  type GitBytesResult,
  type GitResult,
  type GitRun,
  git,
  gitEnv,
  runGit,
  runGitBytes,
} from './exec.ts';
export {
  assertBranchName,
  assertRepoPath,
  assertSelfreviewBranch,
  assertSha,
  BRANCH_PREFIX,
  COMMITTER,
} from './names.ts';
export type { PushOutcome, RemoteAuth } from './remote.ts';
export { Repository, Worktree } from './repository.ts';
