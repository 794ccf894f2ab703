/** GitHub pull requests through Octokit: a thin edge, tested against a loopback server with the real client. */
import { Octokit } from '@octokit/rest';
import { type Forge, ForgeError, type ForgeTarget, type Proposal, type ProposalInput } from './types.ts';

export type GitHubForgeOptions = { fetch?: typeof fetch };

const SELFREVIEW_PREFIX = 'selfreview:';

// Octokit's request log writes every failed call to console.error, outside the worker's logger, and
// its debug line carries the request options; failures reach the caller as ForgeError instead.
const QUIET_LOG = {
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: () => {},
};

export function createGitHubForge(target: ForgeTarget, token: string, opts: GitHubForgeOptions = {}): Forge {
  const { owner, repo } = ownerAndRepo(target.project);
  const octokit = new Octokit({
    auth: token,
    // A trailing slash would double up with the route's leading one.
    baseUrl: target.apiUrl.replace(/\/+$/, ''),
    userAgent: 'selfreview',
    request: { retries: 0, ...(opts.fetch ? { fetch: opts.fetch } : {}) },
    log: QUIET_LOG,
  });

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toForgeError(operation, err, token);
    }
  }

  async function setLabels(number: number, labels: readonly string[]): Promise<void> {
    const current = await call(`read labels of #${number}`, () =>
      octokit.paginate(octokit.rest.issues.listLabelsOnIssue, {
        owner,
        repo,
        issue_number: number,
        per_page: 100,
      }),
    );
    const names = new Set(current.map((l) => l.name));
    const wanted = new Set(labels);
    for (const name of names) {
      if (!name.startsWith(SELFREVIEW_PREFIX) || wanted.has(name)) continue;
      try {
        await octokit.rest.issues.removeLabel({ owner, repo, issue_number: number, name });
      } catch (err) {
        // Someone removed it meanwhile: the wanted state is reached all the same.
        if (httpStatus(err) !== 404) throw toForgeError(`remove label ${name} from #${number}`, err, token);
      }
    }
    const missing = [...wanted].filter((name) => !names.has(name));
    if (missing.length > 0) {
      await call(`add labels to #${number}`, () =>
        octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: missing }),
      );
    }
  }

  return {
    kind: 'github',

    async findOpen(branch: string): Promise<Proposal | null> {
      const { data } = await call(`list pull requests for ${branch}`, () =>
        octokit.rest.pulls.list({ owner, repo, state: 'open', head: `${owner}:${branch}`, per_page: 100 }),
      );
      // GitHub ignores a `head` filter it cannot parse and lists every open pull request, and a fork's
      // branch of the same name is not ours: check the ref and that head and base are one repository.
      const pull = data.find((p) => p.head.ref === branch && p.head.repo?.id === p.base.repo.id);
      return pull ? { number: pull.number, url: pull.html_url } : null;
    },

    async open(input: ProposalInput): Promise<Proposal> {
      const { data: pull } = await call(`create pull request for ${input.branch}`, () =>
        octokit.rest.pulls.create({
          owner,
          repo,
          head: input.branch,
          base: input.base,
          title: input.title,
          body: input.body,
          maintainer_can_modify: false,
        }),
      );
      // If labelling fails the pull request stays open without labels; the next propose finds it and
      // puts them on through update.
      if (input.labels.length > 0) {
        await call(`add labels to #${pull.number}`, () =>
          octokit.rest.issues.addLabels({
            owner,
            repo,
            issue_number: pull.number,
            labels: [...input.labels],
          }),
        );
      }
      return { number: pull.number, url: pull.html_url };
    },

    async update(number: number, input: ProposalInput): Promise<void> {
      await call(`update pull request #${number}`, () =>
        octokit.rest.pulls.update({ owner, repo, pull_number: number, title: input.title, body: input.body }),
      );
      await setLabels(number, input.labels);
    },
  };
}

function ownerAndRepo(project: string): { owner: string; repo: string } {
  const [owner, repo, ...rest] = project.split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new ForgeError(`github: project must be owner/repo, got ${JSON.stringify(project)}`);
  }
  return { owner, repo };
}

/** The HTTP status of an Octokit RequestError that carries a real answer; undefined for transport failures. */
function httpStatus(err: unknown): number | undefined {
  if (!(err instanceof Error) || !('status' in err) || typeof err.status !== 'number') return undefined;
  // Octokit reports a failed connection as status 500 without a response; that is not the server's answer.
  if (!('response' in err) || !err.response) return undefined;
  return err.status;
}

function toForgeError(operation: string, err: unknown, token: string): ForgeError {
  const status = httpStatus(err);
  const detail = status === undefined ? transportMessage(err) : `${status} ${answerMessage(err)}`;
  return new ForgeError(redact(`github: ${operation} failed: ${detail}`, token), status);
}

/** GitHub's own words: `message`, plus the validation errors that say what was wrong. */
function answerMessage(err: unknown): string {
  const data = (err as { response?: { data?: unknown } }).response?.data;
  if (typeof data === 'string' && data.trim()) return data.trim().slice(0, 200);
  if (typeof data !== 'object' || data === null) return err instanceof Error ? err.message : String(err);
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const head = typeof message === 'string' ? message : 'Unknown error';
  const details = Array.isArray(errors) ? errors.map(errorDetail).filter((d) => d !== '') : [];
  return details.length > 0 ? `${head} (${details.join('; ')})` : head;
}

function errorDetail(e: unknown): string {
  if (typeof e === 'string') return e;
  if (typeof e !== 'object' || e === null) return '';
  const { message, resource, field, code } = e as Record<string, unknown>;
  if (typeof message === 'string') return message;
  return [resource, field, code].filter((part) => typeof part === 'string').join(' ');
}

function transportMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function redact(text: string, token: string): string {
  return token ? text.split(token).join('[REDACTED]') : text;
}
