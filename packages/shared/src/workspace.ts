/**
 * `@selfreview/shared/workspace`, the git adapter's first name, kept so its importers need no
 * change: the adapter itself is `./git/` (`@selfreview/shared/git`). Exports exactly what this
 * module exported before the move.
 */
export {
  assertSelfreviewBranch,
  BRANCH_PREFIX,
  COMMITTER,
  GIT_HARDENING,
  GIT_HARDENING_ARGS,
  gitEnv,
  type PushOutcome,
  type RemoteAuth,
  Repository,
  Worktree,
} from './git/index.ts';
