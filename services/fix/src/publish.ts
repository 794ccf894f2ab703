/**
 * Proposing a committed batch: push its branch (fast-forward only, never the default branch)
 * and open, or find again, its pull/merge request. Only when the operator asked for it and
 * gave credentials; otherwise the branch stays local and the record says why.
 */
import type { Logger } from '@selfreview/shared/logger';
import type { ProposalIndex } from '@selfreview/shared/proposals';
import type { FixJob } from '@selfreview/shared/queues';
import type { FixItem, FixResult, PullRequestRecord } from '@selfreview/shared/schemas';
import type { RemoteAuth, Repository } from '@selfreview/shared/workspace';
import {
  createForge,
  DEFAULT_API_URL,
  DEFAULT_TOKEN_ENV,
  detectForgeFromRemote,
  type Forge,
  ForgeError,
  type ForgeTarget,
  propose,
} from './forges/index.ts';
import { proposalBody, proposalLabels, proposalTitle } from './proposal.ts';

/** Looks a token up by the NAME of its environment variable; the worker passes process.env. */
export type Credentials = (envName: string) => string | undefined;

export type PublishInput = {
  repo: Repository;
  data: FixJob;
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

export async function publishBatch(input: PublishInput): Promise<PublishOutcome> {
  const { repo, data, branch } = input;
  const base = { batchId: data.batchId, branch, url: null, number: null, labels: [] as string[] };
  const local = (reason: string): PublishOutcome => ({
    record: { ...base, status: 'local_only', forge: null, reason },
    permanent: false,
  });
  const settings = data.repo.publish;
  if (!settings) return local('publishing not requested: the branch stays in the local repository');

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
  const pushed = await repo.pushBranch(settings.remote, branch, {
    protectedBranch: data.baseBranch,
    auth: httpAuth(remoteUrl, target.kind, token),
  });
  if (!pushed.ok) return failed(pushed.detail, pushed.reason !== 'unreachable');
  input.log.info({ branch, remote: settings.remote, push: pushed.detail }, 'branch pushed');

  const forge = (input.forgeFor ?? createForge)(target, token);
  try {
    const proposal = await propose(forge, {
      branch,
      base: data.baseBranch,
      title: proposalTitle(input.committed),
      body: proposalBody({
        batchId: data.batchId,
        branch,
        baseBranch: data.baseBranch,
        baseSha: data.baseSha,
        committed: input.committed,
        items: input.items,
      }),
      labels,
    });
    await input.proposals?.remember(target.kind, target.project, branch, {
      repoPath: repo.root,
      runId: data.runId,
      batchId: data.batchId,
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

/**
 * HTTPS remotes take the token as basic auth in a header (the user name is the forge's
 * convention for tokens); SSH and local remotes authenticate their own way.
 */
export function httpAuth(
  remoteUrl: string,
  kind: ForgeTarget['kind'],
  token: string,
): RemoteAuth | undefined {
  if (!/^https?:\/\//i.test(remoteUrl)) return undefined;
  const user = kind === 'github' ? 'x-access-token' : 'oauth2';
  return {
    header: `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`,
    secret: token,
  };
}
