/**
 * A loopback stand-in for the merge request part of GitLab's REST API v4, answering with GitLab's
 * status codes and JSON shapes so that the real gitbeaker client can talk to it. Merge requests live
 * in memory; every request is recorded so tests can see what was sent (and that no merge was ever
 * attempted).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { flatHeaders, listenOnLoopback, readBody, sendJson } from './loopback.ts';

export type FakeMergeRequest = {
  /** Full path of the target project, `group/sub/project`. */
  project: string;
  /** Full path of the project the source branch lives in: another one for a fork's merge request. */
  sourceProject: string;
  iid: number;
  sourceBranch: string;
  targetBranch: string;
  title: string;
  description: string;
  state: 'opened' | 'closed' | 'merged';
  labels: string[];
  webUrl: string;
  removeSourceBranch: boolean;
};

export type FakeRequest = {
  method: string;
  /** Path and query, as sent (the project path stays URL-encoded). */
  path: string;
  /** The PRIVATE-TOKEN header, or Authorization when that was used instead. */
  auth: string | undefined;
  /** Every other header, to check the token travels nowhere else. */
  headers: Record<string, string>;
  body: string;
};

export type FakeGitLab = {
  url: string;
  mergeRequests: FakeMergeRequest[];
  requests: FakeRequest[];
  close(): Promise<void>;
};

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Params = Record<string, unknown>;

export async function startFakeGitLab(opts: { token?: string } = {}): Promise<FakeGitLab> {
  const mergeRequests: FakeMergeRequest[] = [];
  const requests: FakeRequest[] = [];
  const projectIds = new Map<string, number>();
  let url = '';

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const { 'private-token': privateToken, authorization, ...headers } = flatHeaders(req);
    const auth = privateToken ?? authorization;
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', auth, headers, body: raw });
    let reply: Reply;
    try {
      reply = authorized(privateToken, authorization, opts.token)
        ? route(req.method ?? 'GET', new URL(req.url ?? '/', url), parseBody(raw, headers['content-type']))
        : { status: 401, body: { message: '401 Unauthorized' } };
    } catch (err) {
      reply = { status: 500, body: { message: err instanceof Error ? err.message : String(err) } };
    }
    send(res, reply);
  }

  function route(method: string, u: URL, params: Params | undefined): Reply {
    if (params === undefined) return { status: 400, body: { error: 'body is invalid' } };
    // Split before decoding: the project path arrives as one segment with its slashes as %2F.
    const parts = u.pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'api' || parts[1] !== 'v4' || parts[2] !== 'projects' || !parts[3]) return notFound();
    const project = projectPath(parts[3]);
    const rest = parts.slice(4);
    if (rest[0] !== 'merge_requests') return notFound();

    if (rest.length === 1) {
      if (method === 'GET') return listMergeRequests(project, u.searchParams);
      if (method === 'POST') return createMergeRequest(project, params);
      return notFound();
    }
    if (rest[2] === 'merge' && rest.length === 3) {
      // selfreview never merges; answered as GitLab does for a merge request that cannot be merged.
      return method === 'PUT' ? { status: 405, body: { message: '405 Method Not Allowed' } } : notFound();
    }
    const mr = mergeRequests.find((m) => m.project === project && String(m.iid) === rest[1]);
    if (!mr || rest.length !== 2) return { status: 404, body: { message: '404 Not found' } };
    if (method === 'GET') return { status: 200, body: mrJson(mr) };
    if (method === 'PUT') return editMergeRequest(mr, params);
    return notFound();
  }

  /** `:id` is a numeric id or the URL-encoded full path. */
  function projectPath(id: string): string {
    if (/^\d+$/.test(id)) {
      for (const [path, n] of projectIds) if (String(n) === id) return path;
    }
    return id;
  }

  function projectId(path: string): number {
    if (!projectIds.has(path)) projectIds.set(path, projectIds.size + 1);
    return projectIds.get(path) ?? 0;
  }

  function listMergeRequests(project: string, q: URLSearchParams): Reply {
    const state = q.get('state') ?? 'all';
    const source = q.get('source_branch');
    const target = q.get('target_branch');
    const all = mergeRequests
      .filter(
        (m) =>
          m.project === project &&
          (state === 'all' || m.state === state) &&
          (source === null || m.sourceBranch === source) &&
          (target === null || m.targetBranch === target),
      )
      .sort((a, b) => b.iid - a.iid);
    // GitLab pages every list (20 by default) and says so in headers and a Link header.
    const perPage = Math.min(Number(q.get('per_page') ?? 20) || 20, 100);
    const page = Math.max(Number(q.get('page') ?? 1) || 1, 1);
    const totalPages = Math.max(Math.ceil(all.length / perPage), 1);
    const pageUrl = (n: number) => {
      const next = new URL(listUrl(project));
      for (const [k, v] of q) next.searchParams.set(k, v);
      next.searchParams.set('page', String(n));
      next.searchParams.set('per_page', String(perPage));
      return next.toString();
    };
    const links = [`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(totalPages)}>; rel="last"`];
    if (page < totalPages) links.unshift(`<${pageUrl(page + 1)}>; rel="next"`);
    return {
      status: 200,
      body: all.slice((page - 1) * perPage, page * perPage).map(mrJson),
      headers: {
        link: links.join(', '),
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-total': String(all.length),
        'x-total-pages': String(totalPages),
        'x-next-page': page < totalPages ? String(page + 1) : '',
        'x-prev-page': page > 1 ? String(page - 1) : '',
      },
    };
  }

  function listUrl(project: string): string {
    return `${url}/api/v4/projects/${encodeURIComponent(project)}/merge_requests`;
  }

  function createMergeRequest(project: string, p: Params): Reply {
    for (const field of ['source_branch', 'target_branch', 'title']) {
      if (typeof p[field] !== 'string' || p[field] === '') {
        return { status: 400, body: { error: `${field} is missing` } };
      }
    }
    const sourceBranch = p.source_branch as string;
    const existing = mergeRequests.find(
      (m) =>
        m.project === project &&
        m.sourceProject === project &&
        m.state === 'opened' &&
        m.sourceBranch === sourceBranch,
    );
    if (existing) {
      return {
        status: 409,
        body: {
          message: [`Another open merge request already exists for this source branch: !${existing.iid}`],
        },
      };
    }
    const iid = mergeRequests.filter((m) => m.project === project).length + 1;
    const mr: FakeMergeRequest = {
      project,
      sourceProject: project,
      iid,
      sourceBranch,
      targetBranch: p.target_branch as string,
      title: p.title as string,
      description: typeof p.description === 'string' ? p.description : '',
      state: 'opened',
      labels: labelList(p.labels),
      webUrl: `${url}/${project}/-/merge_requests/${iid}`,
      removeSourceBranch: bool(p.remove_source_branch),
    };
    mergeRequests.push(mr);
    return { status: 201, body: mrJson(mr) };
  }

  function editMergeRequest(mr: FakeMergeRequest, p: Params): Reply {
    if (typeof p.title === 'string') mr.title = p.title;
    if (typeof p.description === 'string') mr.description = p.description;
    if (typeof p.target_branch === 'string') mr.targetBranch = p.target_branch;
    if (p.labels !== undefined) mr.labels = labelList(p.labels);
    if (p.add_labels !== undefined) mr.labels = [...new Set([...mr.labels, ...labelList(p.add_labels)])];
    if (p.remove_labels !== undefined) {
      const gone = new Set(labelList(p.remove_labels));
      mr.labels = mr.labels.filter((l) => !gone.has(l));
    }
    if (p.state_event === 'close') mr.state = 'closed';
    if (p.state_event === 'reopen') mr.state = 'opened';
    if (p.remove_source_branch !== undefined) mr.removeSourceBranch = bool(p.remove_source_branch);
    return { status: 200, body: mrJson(mr) };
  }

  function mrJson(m: FakeMergeRequest) {
    const author = {
      id: 1,
      username: 'selfreview-bot',
      name: 'selfreview',
      state: 'active',
      web_url: `${url}/selfreview-bot`,
    };
    return {
      id: 1000 + m.iid,
      iid: m.iid,
      project_id: projectId(m.project),
      title: m.title,
      description: m.description,
      state: m.state,
      created_at: CREATED,
      updated_at: CREATED,
      merged_by: null,
      merged_at: null,
      closed_by: null,
      closed_at: null,
      target_branch: m.targetBranch,
      source_branch: m.sourceBranch,
      user_notes_count: 0,
      upvotes: 0,
      downvotes: 0,
      author,
      assignees: [],
      assignee: null,
      reviewers: [],
      source_project_id: projectId(m.sourceProject),
      target_project_id: projectId(m.project),
      labels: [...m.labels].sort(),
      draft: false,
      work_in_progress: false,
      milestone: null,
      merge_when_pipeline_succeeds: false,
      merge_status: 'can_be_merged',
      detailed_merge_status: 'mergeable',
      sha: SHA,
      merge_commit_sha: null,
      squash_commit_sha: null,
      discussion_locked: null,
      should_remove_source_branch: m.removeSourceBranch,
      force_remove_source_branch: false,
      reference: `!${m.iid}`,
      references: { short: `!${m.iid}`, relative: `!${m.iid}`, full: `${m.project}!${m.iid}` },
      web_url: m.webUrl,
      time_stats: {
        time_estimate: 0,
        total_time_spent: 0,
        human_time_estimate: null,
        human_total_time_spent: null,
      },
      squash: false,
      task_completion_status: { count: 0, completed_count: 0 },
      has_conflicts: false,
      blocking_discussions_resolved: true,
    };
  }

  const listening = await listenOnLoopback(server);
  url = listening.url;

  return {
    url,
    mergeRequests,
    requests,
    close: listening.close,
  };
}

const CREATED = '2024-01-01T00:00:00.000Z';
const SHA = '0123456789abcdef0123456789abcdef01234567';

/** GitLab takes a personal access token as PRIVATE-TOKEN or as `Authorization: Bearer`. */
function authorized(
  privateToken: string | undefined,
  authorization: string | undefined,
  token?: string,
): boolean {
  if (token === undefined) return true;
  if (privateToken !== undefined) return privateToken === token;
  return /^bearer (.+)$/i.exec(authorization ?? '')?.[1] === token;
}

function notFound(): Reply {
  return { status: 404, body: { error: '404 Not Found' } };
}

/** Labels come as `a,b`, as an array, or (form-encoded) as repeated `labels[]`. */
function labelList(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return [...new Set(items.map((l) => l.trim()).filter((l) => l !== ''))];
}

function bool(value: unknown): boolean {
  return value === true || value === 'true';
}

/** JSON or form-encoded, whichever the client sent; undefined when it does not parse. */
function parseBody(raw: string, contentType: string | undefined): Params | undefined {
  if (!raw) return {};
  const type = (contentType ?? '').split(';')[0]?.trim();
  if (type === 'application/x-www-form-urlencoded') {
    const out: Params = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      if (key.endsWith('[]')) {
        const name = key.slice(0, -2);
        out[name] = [...((out[name] as string[] | undefined) ?? []), value];
      } else {
        out[key] = value;
      }
    }
    return out;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Params)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  sendJson(res, reply.status, reply.body, reply.headers);
}
