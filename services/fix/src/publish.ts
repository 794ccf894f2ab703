/**
 * Proposing a committed batch: push its branch (fast-forward only, never the default or base
 * branch) and open, or find again, its pull/merge request. Runs only in the publisher process,
 * which holds the forge tokens and never runs repository code; the settings come from the
 * server configuration or `selfreview run`'s own options, never from job data.
 */
import type { Logger } from '@selfreview/shared/logger';
import type { ProposalIndex } from '@selfreview/shared/proposals';
import type { FixItem, FixResult, PullRequestRecord } from '@selfreview/shared/schemas';
import { DEFAULT_TOKEN_ENV, type PublishSettings } from '@selfreview/shared/server-config';
import type { RemoteAuth, Repository } from '@selfreview/shared/workspace';
import {
  createForge,
  DEFAULT_API_URL,
  detectForgeFromRemote,
  type Forge,
  ForgeError,
  type ForgeTarget,
  propose,
} from './forges/index.ts';
import { proposalBody, proposalLabels, proposalTitle } from './proposal.ts';

/** Looks a token up by the NAME of its environment variable; the publisher passes its own environment. */
export type Credentials = (envName: string) => string | undefined;

/** Where a batch is published from and how: the repository the publisher opened itself, and its settings. */
export type PublishTarget = {
  repo: Repository;
  settings: PublishSettings;
  /** Never pushed to: the branch the configuration watches (the base of every fix). */
  protectedBranch: string;
};

export type PublishInput = {
  target: PublishTarget;
  runId: string;
  batchId: string;
  baseSha: string;
  branch: string;
  committed: readonly FixResult[];
  items: readonly FixItem[];
  credentials: Credentials;
  log: Logger;
  /** Tests may hand in a forge client of their own; the registry's otherwise. */
  forgeFor?: (target: ForgeTarget, token: string) => Forge;
  /** Where a proposed branch's findings are kept, so a rejection can be remembered. */
  proposals?: ProposalIndex;
};

/**
 * The record to keep in the report. A `failed` record says whether a retry could change it
 * (`permanent` false: the forge or the remote did not answer, or answered with an error); a
 * rejected push (not a fast-forward, a hook said no) is permanent and needs a person.
 */
export type PublishOutcome = { record: PullRequestRecord; permanent: boolean };

/** The record of a branch that stays in the local repository, and why. */
export function localOnly(batchId: string, branch: string, reason: string): PublishOutcome {
  return {
    record: {
      batchId,
      branch,
      url: null,
      number: null,
      labels: [],
      status: 'local_only',
      forge: null,
      reason,
    },
    permanent: false,
  };
}

export async function publishBatch(input: PublishInput): Promise<PublishOutcome> {
  const { target: where, batchId, branch } = input;
  const { repo, settings } = where;
  const base = { batchId, branch, url: null, number: null, labels: [] as string[] };
  const local = (reason: string) => localOnly(batchId, branch, reason);

  const remoteUrl = await repo.remoteUrl(settings.remote);
  if (remoteUrl === null) return local(`no git remote named ${settings.remote}: the branch stays local`);
  const target: ForgeTarget | null = settings.forge
    ? {
        kind: settings.forge.kind,
        project: settings.forge.project,
        apiUrl: settings.forge.apiUrl ?? DEFAULT_API_URL[settings.forge.kind],
      }
    : detectForgeFromRemote(remoteUrl);
  if (!target) {
    return local(
      `remote ${settings.remote} is not a GitHub or GitLab project URL; name the forge and project to publish`,
    );
  }
  const tokenEnv = settings.tokenEnv ?? DEFAULT_TOKEN_ENV[target.kind];
  const token = input.credentials(tokenEnv);
  if (!token) return local(`no credentials: ${tokenEnv} is not set, so the branch stays local`);

  const labels = proposalLabels(input.committed);
  const failed = (reason: string, permanent: boolean): PublishOutcome => ({
    record: { ...base, labels, status: 'failed', forge: target.kind, reason },
    permanent,
  });
  // The remote's URL is read from the repository's git config, which code running in a fix
  // worktree could have rewritten: the token only ever goes to the forge's own host.
  if (isHttpUrl(remoteUrl) && !sameForgeHost(remoteUrl, target.apiUrl)) {
    return failed(
      `remote ${settings.remote} is not on the forge's host (${hostOf(target.apiUrl)}): the token is not sent to ${hostOf(remoteUrl)}`,
      true,
    );
  }
  const pushed = await repo.pushBranch(settings.remote, branch, {
    protectedBranch: where.protectedBranch,
    auth: httpAuth(remoteUrl, target.kind, token),
  });
  if (!pushed.ok) return failed(pushed.detail, pushed.reason !== 'unreachable');
  input.log.info({ branch, remote: settings.remote, push: pushed.detail }, 'branch pushed');

  const forge = (input.forgeFor ?? createForge)(target, token);
  try {
    const proposal = await propose(forge, {
      branch,
      base: where.protectedBranch,
      title: proposalTitle(input.committed),
      body: proposalBody({
        batchId,
        branch,
        baseBranch: where.protectedBranch,
        baseSha: input.baseSha,
        committed: input.committed,
        items: input.items,
      }),
      labels,
    });
    await input.proposals?.remember(target.kind, target.project, branch, {
      repoPath: repo.root,
      runId: input.runId,
      batchId,
      candidateIds: input.committed.flatMap((r) => r.candidateIds),
    });
    return {
      record: {
        ...base,
        status: proposal.reused ? 'updated' : 'opened',
        forge: target.kind,
        url: proposal.url,
        number: proposal.number,
        labels,
        reason: proposal.reused ? 'an earlier attempt of this batch opened it; updated' : 'opened',
      },
      permanent: false,
    };
  } catch (err) {
    // 4xx other than rate limits will not change on a retry: a person fixes the token or the project.
    if (err instanceof ForgeError) {
      const permanent =
        err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429;
      return failed(err.message, permanent);
    }
    throw err;
  }
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '(not a URL)';
  }
}

/**
 * Whether an https remote lives on the forge the API URL names: the same host (GitLab, GitHub
 * Enterprise's /api/v3), or the API's `api.` host for GitHub (api.github.com serves github.com).
 */
export function sameForgeHost(remoteUrl: string, apiUrl: string): boolean {
  const remote = hostOf(remoteUrl);
  const api = hostOf(apiUrl);
  return remote !== '(not a URL)' && (remote === api || api === `api.${remote}`);
}

/**
 * HTTPS remotes take the token as basic auth in a header (the user name is the forge's
 * convention for tokens); SSH and local remotes authenticate their own way.
 */
export function httpAuth(
  remoteUrl: string,
  kind: ForgeTarget['kind'],
  token: string,
): RemoteAuth | undefined {
  if (!isHttpUrl(remoteUrl)) return undefined;
  const user = kind === 'github' ? 'x-access-token' : 'oauth2';
  return {
    header: `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`,
    secret: token,
  };
}
