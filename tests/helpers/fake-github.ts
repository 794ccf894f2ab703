/**
 * A loopback stand-in for the part of GitHub's REST API that selfreview's forge adapter uses,
 * answering with GitHub's status codes and JSON shapes so that the real Octokit client can talk to
 * it. Pull requests live in memory; every request is recorded so tests can see what was sent (and
 * that no merge was ever attempted).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { flatHeaders, listenOnLoopback, readBody, sendJson } from './loopback.ts';

export type FakePull = {
  /** `owner/repo` of the base repository. */
  repo: string;
  number: number;
  /** Owner of the repository the head branch lives in (`o` for `o:branch`). */
  headOwner: string;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  htmlUrl: string;
  maintainerCanModify: boolean;
};

export type FakeRequest = {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** The Authorization header. */
  auth: string | undefined;
  /** Every other header, to check the token travels nowhere else. */
  headers: Record<string, string>;
  body: string;
};

export type FakeGitHub = {
  url: string;
  pulls: FakePull[];
  requests: FakeRequest[];
  close(): Promise<void>;
};

type Reply = { status: number; body?: unknown };

export async function startFakeGitHub(opts: { token?: string } = {}): Promise<FakeGitHub> {
  const pulls: FakePull[] = [];
  const requests: FakeRequest[] = [];
  const repoIds = new Map<string, number>();
  let url = '';

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const { authorization, ...headers } = flatHeaders(req);
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', auth: authorization, headers, body });
    let reply: Reply;
    try {
      reply = route(req.method ?? 'GET', new URL(req.url ?? '/', url), authorization, body);
    } catch (err) {
      reply = { status: 500, body: { message: err instanceof Error ? err.message : String(err) } };
    }
    send(res, reply);
  }

  function route(method: string, u: URL, authorization: string | undefined, raw: string): Reply {
    if (opts.token !== undefined && !authorized(authorization, opts.token)) {
      return { status: 401, body: { message: 'Bad credentials', documentation_url: DOCS } };
    }
    const parts = u.pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'repos' || !parts[1] || !parts[2]) return notFound();
    const repo = `${parts[1]}/${parts[2]}`;
    const rest = parts.slice(3);
    const data = parseJson(raw);
    if (data === undefined)
      return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS } };

    if (rest[0] === 'pulls' && rest.length === 1) {
      if (method === 'GET') return listPulls(repo, u.searchParams);
      if (method === 'POST') return createPull(repo, data);
    }
    if (rest[0] === 'pulls' && rest.length >= 2) {
      if (rest[2] === 'merge') {
        // selfreview never merges; answered as GitHub does for a pull request that cannot be merged.
        return method === 'PUT'
          ? { status: 405, body: { message: 'Pull Request is not mergeable', documentation_url: DOCS } }
          : notFound();
      }
      const pull = findPull(repo, rest[1]);
      if (!pull || rest.length > 2) return notFound();
      if (method === 'GET') return { status: 200, body: pullJson(pull) };
      if (method === 'PATCH') return updatePull(pull, data);
    }
    if (rest[0] === 'issues' && rest[2] === 'labels') {
      const pull = findPull(repo, rest[1]);
      if (!pull) return notFound();
      if (rest.length === 3 && method === 'GET') return { status: 200, body: pull.labels.map(labelJson) };
      if (rest.length === 3 && method === 'POST') return addLabels(pull, data);
      if (rest.length === 4 && method === 'DELETE') {
        const name = rest[3] ?? '';
        if (!pull.labels.includes(name)) {
          return { status: 404, body: { message: 'Label does not exist', documentation_url: DOCS } };
        }
        pull.labels = pull.labels.filter((l) => l !== name);
        return { status: 200, body: pull.labels.map(labelJson) };
      }
    }
    return notFound();
  }

  function listPulls(repo: string, q: URLSearchParams): Reply {
    const state = q.get('state') ?? 'open';
    const head = q.get('head');
    const list = pulls.filter(
      (p) =>
        p.repo === repo &&
        (state === 'all' || p.state === state) &&
        (head === null || `${p.headOwner}:${p.head}` === head),
    );
    return { status: 200, body: list.map(pullJson) };
  }

  function createPull(repo: string, data: Record<string, unknown>): Reply {
    const { head, base, title } = data;
    if (typeof head !== 'string' || typeof base !== 'string' || typeof title !== 'string') {
      return validationFailed([{ resource: 'PullRequest', code: 'missing_field', field: 'head/base/title' }]);
    }
    const owner = repo.split('/')[0] ?? '';
    const [headOwner, headRef] = head.includes(':') ? head.split(':', 2) : [owner, head];
    if (
      pulls.some(
        (p) => p.repo === repo && p.state === 'open' && p.head === headRef && p.headOwner === headOwner,
      )
    ) {
      return validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${headOwner}:${headRef}.`,
        },
      ]);
    }
    const number = pulls.filter((p) => p.repo === repo).length + 1;
    const pull: FakePull = {
      repo,
      number,
      headOwner: headOwner ?? owner,
      head: headRef ?? head,
      base,
      title,
      body: typeof data.body === 'string' ? data.body : '',
      state: 'open',
      labels: [],
      htmlUrl: `${url}/${repo}/pull/${number}`,
      maintainerCanModify: data.maintainer_can_modify === true,
    };
    pulls.push(pull);
    return { status: 201, body: pullJson(pull) };
  }

  function updatePull(pull: FakePull, data: Record<string, unknown>): Reply {
    if (typeof data.title === 'string') pull.title = data.title;
    if (typeof data.body === 'string') pull.body = data.body;
    if (typeof data.base === 'string') pull.base = data.base;
    if (data.state === 'open' || data.state === 'closed') pull.state = data.state;
    return { status: 200, body: pullJson(pull) };
  }

  function addLabels(pull: FakePull, data: unknown): Reply {
    // GitHub takes {labels: [...]}, a bare array, or either with {name} objects.
    const given = Array.isArray(data) ? data : (data as { labels?: unknown }).labels;
    if (!Array.isArray(given) || given.length === 0) {
      return validationFailed([{ resource: 'Label', code: 'invalid', field: 'labels' }]);
    }
    for (const l of given) {
      const name = typeof l === 'string' ? l : (l as { name?: unknown })?.name;
      if (typeof name === 'string' && !pull.labels.includes(name)) pull.labels.push(name);
    }
    return { status: 200, body: pull.labels.map(labelJson) };
  }

  function findPull(repo: string, n: string | undefined): FakePull | undefined {
    return pulls.find((p) => p.repo === repo && String(p.number) === n);
  }

  function pullJson(p: FakePull) {
    const [owner] = p.repo.split('/');
    const api = `${url}/repos/${p.repo}`;
    const baseRepo = repoJson(p.repo);
    const headRepo = p.headOwner === owner ? baseRepo : repoJson(`${p.headOwner}/${p.repo.split('/')[1]}`);
    return {
      url: `${api}/pulls/${p.number}`,
      id: 1000 + p.number,
      node_id: `PR_${p.number}`,
      html_url: p.htmlUrl,
      diff_url: `${p.htmlUrl}.diff`,
      patch_url: `${p.htmlUrl}.patch`,
      issue_url: `${api}/issues/${p.number}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: userJson('selfreview-bot'),
      body: p.body,
      labels: p.labels.map(labelJson),
      created_at: CREATED,
      updated_at: CREATED,
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      draft: false,
      head: {
        label: `${p.headOwner}:${p.head}`,
        ref: p.head,
        sha: SHA,
        user: userJson(p.headOwner),
        repo: headRepo,
      },
      base: {
        label: `${owner}:${p.base}`,
        ref: p.base,
        sha: SHA,
        user: userJson(owner ?? ''),
        repo: baseRepo,
      },
      author_association: 'OWNER',
      merged: false,
      mergeable: null,
      maintainer_can_modify: p.maintainerCanModify,
    };
  }

  function repoJson(fullName: string) {
    if (!repoIds.has(fullName)) repoIds.set(fullName, repoIds.size + 1);
    const [owner, name] = fullName.split('/');
    return {
      id: repoIds.get(fullName),
      node_id: `R_${fullName}`,
      name,
      full_name: fullName,
      private: false,
      owner: userJson(owner ?? ''),
      html_url: `${url}/${fullName}`,
      url: `${url}/repos/${fullName}`,
      default_branch: 'main',
    };
  }

  function userJson(login: string) {
    return { login, id: login.length, node_id: `U_${login}`, type: 'User', site_admin: false };
  }

  function labelJson(name: string) {
    return {
      id: name.length,
      node_id: `LA_${name}`,
      url: `${url}/labels/${name}`,
      name,
      color: 'ededed',
      default: false,
      description: null,
    };
  }

  const listening = await listenOnLoopback(server);
  url = listening.url;

  return {
    url,
    pulls,
    requests,
    close: listening.close,
  };
}

const DOCS = 'https://docs.github.com/rest';
const CREATED = '2024-01-01T00:00:00Z';
const SHA = '0123456789abcdef0123456789abcdef01234567';

/** GitHub takes `token <t>` and `Bearer <t>`, the scheme in any case. */
function authorized(header: string | undefined, token: string): boolean {
  const m = /^(token|bearer) (.+)$/i.exec(header ?? '');
  return m?.[2] === token;
}

function notFound(): Reply {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };
}

function validationFailed(errors: unknown[]): Reply {
  return { status: 422, body: { message: 'Validation Failed', errors, documentation_url: DOCS } };
}

/** The JSON body, `{}` when there is none, undefined when it does not parse. */
function parseJson(raw: string): Record<string, unknown> | undefined {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  sendJson(res, reply.status, reply.body, { 'x-github-request-id': 'FAKE' });
}
