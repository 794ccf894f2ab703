/** GitLab merge requests through gitbeaker: a thin edge, tested against a loopback server with the real client. */
import { GitbeakerRequestError, GitbeakerRetryError, Gitlab } from '@gitbeaker/rest';
import { type Forge, ForgeError, type ForgeTarget, type Proposal, type ProposalInput } from './types.ts';

const SELFREVIEW_PREFIX = 'selfreview:';

export function createGitLabForge(target: ForgeTarget, token: string): Forge {
  const projectId = target.project;
  if (!projectId || projectId.startsWith('/') || projectId.endsWith('/')) {
    throw new ForgeError(
      `gitlab: project must be a path like group/project, got ${JSON.stringify(projectId)}`,
    );
  }
  // gitbeaker appends /api/v4 to the host with a slash of its own.
  const api = new Gitlab({ host: target.apiUrl.replace(/\/+$/, ''), token });

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toForgeError(operation, err, token);
    }
  }

  return {
    kind: 'gitlab',

    async findOpen(branch: string): Promise<Proposal | null> {
      const list = await call(`list merge requests for ${branch}`, () =>
        api.MergeRequests.all({ projectId, sourceBranch: branch, state: 'opened' }),
      );
      // A fork's merge request into this project can have a source branch of the same name; it is not ours.
      const mr = list.find((m) => m.source_branch === branch && m.source_project_id === m.target_project_id);
      return mr ? { number: mr.iid, url: mr.web_url } : null;
    },

    async open(input: ProposalInput): Promise<Proposal> {
      const mr = await call(`create merge request for ${input.branch}`, () =>
        api.MergeRequests.create(projectId, input.branch, input.base, input.title, {
          description: input.body,
          labels: input.labels.join(','),
          removeSourceBranch: false,
        }),
      );
      return { number: mr.iid, url: mr.web_url };
    },

    async update(number: number, input: ProposalInput): Promise<void> {
      const mr = await call(`read merge request !${number}`, () => api.MergeRequests.show(projectId, number));
      // `labels` replaces the whole set, so the ones people put on are carried over explicitly.
      const foreign = labelNames(mr.labels).filter((name) => !name.startsWith(SELFREVIEW_PREFIX));
      const labels = [...new Set([...foreign, ...input.labels])];
      await call(`update merge request !${number}`, () =>
        api.MergeRequests.edit(projectId, number, {
          title: input.title,
          description: input.body,
          // The comma-separated form the API documents; an empty string is how it clears all labels.
          labels: labels.join(','),
        }),
      );
    },
  };
}

function labelNames(labels: readonly (string | { name: string })[]): string[] {
  return labels.map((l) => (typeof l === 'string' ? l : l.name));
}

function toForgeError(operation: string, err: unknown, token: string): ForgeError {
  let status: number | undefined;
  let detail: string;
  if (err instanceof GitbeakerRequestError && err.cause?.response) {
    status = err.cause.response.status;
    detail = `${status} ${answerMessage(err.message, status)}`;
  } else if (err instanceof GitbeakerRetryError) {
    // gitbeaker retries 429 and 502 itself and then reports the last status only inside its message.
    const last = /last status code: (\d+)/.exec(err.message)?.[1];
    status = last ? Number(last) : undefined;
    detail = `${last ?? ''} gave up after retries`.trim();
  } else {
    detail = transportMessage(err);
  }
  // The error is rebuilt rather than wrapped: gitbeaker's `cause` holds the Request, headers and token included.
  return new ForgeError(redact(`gitlab: ${operation} failed: ${detail}`, token), status);
}

/**
 * gitbeaker passes on GitLab's `message` (or `error`), JSON-encoded when it is not a string, as in
 * `["Another open merge request already exists ..."]`; this turns it back into plain words.
 */
function answerMessage(description: string, status: number): string {
  let text = description.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      text = flatten(JSON.parse(text));
    } catch {
      // Not JSON after all: keep it as it came.
    }
  }
  // GitLab's own messages often start with the status again ("401 Unauthorized").
  if (text.startsWith(`${status} `)) text = text.slice(String(status).length + 1);
  return text.slice(0, 300) || 'no message';
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flatten).join('; ');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([key, v]) => `${key} ${flatten(v)}`)
      .join('; ');
  }
  return String(value);
}

function transportMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, ...) is in its cause.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

function redact(text: string, token: string): string {
  return token ? text.split(token).join('[REDACTED]') : text;
}
