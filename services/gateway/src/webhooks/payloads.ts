/**
 * Push-webhook payloads from GitHub and GitLab, reduced to what starting work needs.
 * Validation is loose (only the fields read here are checked, extra fields are ignored);
 * anything that is not a push to a branch parses to null.
 */
import { z } from 'zod';

export type PushEvent = {
  /** `owner/name` (GitHub) or `group/subgroup/name` (GitLab), plus every URL the payload gives for it. */
  repository: { fullName: string; urls: string[] };
  branch: string;
  /** All zeros when the branch was created by this push. */
  before: string;
  /** All zeros when the branch was deleted by this push. */
  after: string;
  /** Repo-relative paths that exist at `after` per the commits listed; sorted, unique. */
  files: string[];
  deletedBranch: boolean;
  /** GitHub's `forced`; GitLab does not say, so always false there. */
  forced: boolean;
  /** The commit list may be incomplete: `files` is then partial and the consumer must diff before..after. */
  truncated: boolean;
};

/** Both hosts cap the commits listed in a push payload at 20. */
const COMMIT_LIST_LIMIT = 20;
const BRANCH_PREFIX = 'refs/heads/';

const Sha = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i);
const Url = z.string().nullish();
const Paths = z
  .array(z.string())
  .nullish()
  .transform((paths) => paths ?? []);
const Commit = z.object({ added: Paths, modified: Paths, removed: Paths });
type Commit = z.infer<typeof Commit>;

const GitHubPush = z.object({
  ref: z.string(),
  before: Sha,
  after: Sha,
  deleted: z.boolean().optional(),
  forced: z.boolean().optional(),
  commits: z.array(Commit).nullish(),
  repository: z.object({
    full_name: z.string().min(1),
    clone_url: Url,
    ssh_url: Url,
    git_url: Url,
    html_url: Url,
    url: Url,
    svn_url: Url,
  }),
});

const GitLabPush = z.object({
  object_kind: z.literal('push'),
  ref: z.string(),
  before: Sha,
  after: Sha,
  commits: z.array(Commit).nullish(),
  total_commits_count: z.number().int().nonnegative().optional(),
  project: z.object({
    path_with_namespace: z.string().min(1),
    git_http_url: Url,
    git_ssh_url: Url,
    web_url: Url,
    homepage: Url,
    url: Url,
    http_url: Url,
    ssh_url: Url,
  }),
  // Deprecated duplicate of `project`, still sent.
  repository: z.object({ git_http_url: Url, git_ssh_url: Url, homepage: Url, url: Url }).nullish(),
});

/** Only a GitHub `push` delivery can start work; every other event (ping included) is acknowledged and ignored. */
export function githubEventStartsWork(event: string | undefined): boolean {
  return event === 'push';
}

/** Only a GitLab `Push Hook` can start work (`Tag Push Hook`, `System Hook` and the rest are ignored). */
export function gitlabEventStartsWork(header: string | undefined): boolean {
  return header === 'Push Hook';
}

/** A GitHub `push` payload, or null for a tag push or anything malformed. */
export function parseGitHubPush(payload: unknown): PushEvent | null {
  const parsed = GitHubPush.safeParse(payload);
  if (!parsed.success) return null;
  const push = parsed.data;
  const branch = branchOf(push.ref);
  if (branch === null) return null;
  const repo = push.repository;
  const deletedBranch = push.deleted === true || isZeroSha(push.after);
  const commits = push.commits ?? [];
  return {
    repository: {
      fullName: repo.full_name,
      urls: uniqueUrls([repo.clone_url, repo.ssh_url, repo.git_url, repo.html_url, repo.url, repo.svn_url]),
    },
    branch,
    before: push.before,
    after: push.after,
    files: deletedBranch ? [] : filesAfter(commits),
    deletedBranch,
    forced: push.forced === true,
    truncated: !deletedBranch && (push.commits == null || commits.length >= COMMIT_LIST_LIMIT),
  };
}

/** A GitLab push payload (`object_kind: 'push'`), or null for a tag push or anything malformed. */
export function parseGitLabPush(payload: unknown): PushEvent | null {
  const parsed = GitLabPush.safeParse(payload);
  if (!parsed.success) return null;
  const push = parsed.data;
  const branch = branchOf(push.ref);
  if (branch === null) return null;
  const { project, repository } = push;
  const deletedBranch = isZeroSha(push.after);
  const commits = push.commits ?? [];
  const total = push.total_commits_count;
  const incomplete =
    push.commits == null ||
    (total === undefined ? commits.length >= COMMIT_LIST_LIMIT : total > commits.length);
  return {
    repository: {
      fullName: project.path_with_namespace,
      urls: uniqueUrls([
        project.git_http_url,
        project.git_ssh_url,
        project.web_url,
        project.homepage,
        project.url,
        project.http_url,
        project.ssh_url,
        repository?.git_http_url,
        repository?.git_ssh_url,
        repository?.homepage,
        repository?.url,
      ]),
    },
    branch,
    before: push.before,
    after: push.after,
    files: deletedBranch ? [] : filesAfter(commits),
    deletedBranch,
    forced: false,
    truncated: !deletedBranch && incomplete,
  };
}

function branchOf(ref: string): string | null {
  if (!ref.startsWith(BRANCH_PREFIX)) return null;
  const branch = ref.slice(BRANCH_PREFIX.length);
  return branch === '' ? null : branch;
}

function isZeroSha(sha: string): boolean {
  return /^0+$/.test(sha);
}

/**
 * Files added or modified by the listed commits and not removed afterwards. Both hosts
 * list commits oldest first, so the last commit touching a path decides: a file added
 * then removed within the push is left out, one removed then re-added is kept.
 */
function filesAfter(commits: readonly Commit[]): string[] {
  const present = new Set<string>();
  for (const commit of commits) {
    for (const path of [...commit.added, ...commit.modified]) if (path !== '') present.add(path);
    for (const path of commit.removed) present.delete(path);
  }
  return [...present].sort();
}

function uniqueUrls(urls: ReadonlyArray<string | null | undefined>): string[] {
  const unique = new Set<string>();
  for (const url of urls) if (typeof url === 'string' && url !== '') unique.add(url);
  return [...unique];
}

/**
 * A selfreview pull/merge request closed without merging: a reviewer's "no". Only
 * `selfreview/*` source branches count; everything else is somebody else's review.
 */
export type ClosedProposal = { forge: 'github' | 'gitlab'; project: string; branch: string };

/** selfreview's own branch names (see workspace.ts), and never a path that climbs out. */
const SELFREVIEW_BRANCH = /^selfreview\/(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;

const GitHubPullRequestClosed = z.object({
  action: z.literal('closed'),
  pull_request: z.object({
    merged: z.boolean().nullish(),
    head: z.object({ ref: z.string() }),
  }),
  repository: z.object({ full_name: z.string().min(1) }),
});

export function parseGitHubClosedUnmerged(
  event: string | undefined,
  payload: unknown,
): ClosedProposal | null {
  if (event !== 'pull_request') return null;
  const parsed = GitHubPullRequestClosed.safeParse(payload);
  if (!parsed.success || parsed.data.pull_request.merged === true) return null;
  const branch = parsed.data.pull_request.head.ref;
  if (!SELFREVIEW_BRANCH.test(branch)) return null;
  return { forge: 'github', project: parsed.data.repository.full_name, branch };
}

const GitLabMergeRequestClosed = z.object({
  object_kind: z.literal('merge_request'),
  project: z.object({ path_with_namespace: z.string().min(1) }),
  object_attributes: z.object({ action: z.string().nullish(), state: z.string(), source_branch: z.string() }),
});

export function parseGitLabClosedUnmerged(
  event: string | undefined,
  payload: unknown,
): ClosedProposal | null {
  if (event !== 'Merge Request Hook') return null;
  const parsed = GitLabMergeRequestClosed.safeParse(payload);
  if (!parsed.success) return null;
  const mr = parsed.data.object_attributes;
  if (mr.action !== 'close' || mr.state !== 'closed' || !SELFREVIEW_BRANCH.test(mr.source_branch))
    return null;
  return { forge: 'gitlab', project: parsed.data.project.path_with_namespace, branch: mr.source_branch };
}
