import { describe, expect, it } from 'vitest';
import { parseGitHubClosedUnmerged, parseGitLabClosedUnmerged } from '../src/webhooks/payloads.ts';

const BRANCH = 'selfreview/remove-unused-imports-0123456789';

describe('closed selfreview proposals', () => {
  const github = (over: { action?: string; merged?: boolean | null; head?: string } = {}) => ({
    action: over.action ?? 'closed',
    pull_request: {
      merged: over.merged === undefined ? false : over.merged,
      head: { ref: over.head ?? BRANCH },
    },
    repository: { full_name: 'octo/web' },
  });

  it('GitHub: a pull_request closed unmerged from a selfreview branch, and nothing else', () => {
    expect(parseGitHubClosedUnmerged('pull_request', github())).toEqual({
      forge: 'github',
      project: 'octo/web',
      branch: BRANCH,
    });
    expect(parseGitHubClosedUnmerged('pull_request', github({ merged: null }))).not.toBeNull();
    expect(parseGitHubClosedUnmerged('pull_request', github({ merged: true }))).toBeNull();
    expect(parseGitHubClosedUnmerged('pull_request', github({ action: 'opened' }))).toBeNull();
    expect(parseGitHubClosedUnmerged('pull_request', github({ head: 'feature/x' }))).toBeNull();
    expect(parseGitHubClosedUnmerged('pull_request', github({ head: 'selfreview/../main' }))).toBeNull();
    expect(parseGitHubClosedUnmerged('issues', github())).toBeNull();
    expect(parseGitHubClosedUnmerged('pull_request', { action: 'closed' })).toBeNull();
  });

  const gitlab = (action: string, state: string, source = BRANCH) => ({
    object_kind: 'merge_request',
    project: { path_with_namespace: 'group/sub/web' },
    object_attributes: { action, state, source_branch: source },
  });

  it('GitLab: a merge request closed (not merged) from a selfreview branch, and nothing else', () => {
    expect(parseGitLabClosedUnmerged('Merge Request Hook', gitlab('close', 'closed'))).toEqual({
      forge: 'gitlab',
      project: 'group/sub/web',
      branch: BRANCH,
    });
    expect(parseGitLabClosedUnmerged('Merge Request Hook', gitlab('merge', 'merged'))).toBeNull();
    expect(
      parseGitLabClosedUnmerged('Merge Request Hook', gitlab('close', 'closed', 'feature/x')),
    ).toBeNull();
    expect(parseGitLabClosedUnmerged('Push Hook', gitlab('close', 'closed'))).toBeNull();
  });
});
