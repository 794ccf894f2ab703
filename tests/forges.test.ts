/**
 * The forge adapters with the real clients (Octokit, gitbeaker) over real HTTP, against loopback
 * servers that answer like GitHub's and GitLab's REST APIs. selfreview proposes and never merges.
 */
import {
  createForge,
  type Forge,
  ForgeError,
  type ForgeKind,
  type ProposalInput,
  propose,
} from '@selfreview/fix/forges';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeRequest as GitHubRequest, startFakeGitHub } from './helpers/fake-github.ts';
import { type FakeRequest as GitLabRequest, startFakeGitLab } from './helpers/fake-gitlab.ts';

// Not shaped like any real token format, so no secret scanner mistakes it for one.
const TOKEN = 'selfreview-test-token-7f3a91c2';
const WRONG = 'selfreview-wrong-token-0b5e44d8';
const BRANCH = 'selfreview/remove-unused-imports-42b25527e4';
const MERGE = /\/merge(\?|$)/;

function proposal(over: Partial<ProposalInput> = {}): ProposalInput {
  return {
    branch: BRANCH,
    base: 'main',
    title: 'selfreview: remove unused imports in 2 files',
    body: 'src/a.ts (lines 1):\n  - removed unused import x\n\nVerified: typecheck passed; tests passed.',
    labels: ['selfreview:needs-review'],
    ...over,
  };
}

/** What a fake server holds about one proposal, the same for both forges. */
type Stored = {
  number: number;
  branch: string;
  base: string;
  title: string;
  body: string;
  state: string;
  labels: string[];
  url: string;
};

type Fake = {
  url: string;
  forge(token: string): Forge;
  stored(): Stored[];
  requests: (GitHubRequest | GitLabRequest)[];
  /** Puts a label on the way a person would, behind selfreview's back. */
  addLabel(number: number, label: string): void;
  /** Adds a proposal selfreview did not open (closed, or from a fork) for the same branch. */
  addOther(kind: 'closed' | 'fork'): void;
  /** The Authorization/PRIVATE-TOKEN value the client is expected to send. */
  expectedAuth: string;
  mergeUrl(number: number): string;
  authHeaders(): Record<string, string>;
};

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startGitHub(): Promise<Fake> {
  const fake = await startFakeGitHub({ token: TOKEN });
  closers.push(fake.close);
  return {
    url: fake.url,
    forge: (token) => createForge({ kind: 'github', project: 'o/r', apiUrl: fake.url }, token),
    stored: () =>
      fake.pulls.map((p) => ({
        number: p.number,
        branch: p.head,
        base: p.base,
        title: p.title,
        body: p.body,
        state: p.state,
        labels: [...p.labels].sort(),
        url: p.htmlUrl,
      })),
    requests: fake.requests,
    addLabel: (number, label) => fake.pulls.find((p) => p.number === number)?.labels.push(label),
    addOther: (kind) => {
      const number = fake.pulls.length + 1;
      fake.pulls.push({
        repo: 'o/r',
        number,
        headOwner: kind === 'fork' ? 'someone' : 'o',
        head: BRANCH,
        base: 'main',
        title: kind,
        body: '',
        state: kind === 'closed' ? 'closed' : 'open',
        labels: [],
        htmlUrl: `${fake.url}/o/r/pull/${number}`,
        maintainerCanModify: true,
      });
    },
    expectedAuth: `token ${TOKEN}`,
    mergeUrl: (number) => `${fake.url}/repos/o/r/pulls/${number}/merge`,
    authHeaders: () => ({ authorization: `token ${TOKEN}` }),
  };
}

async function startGitLab(): Promise<Fake> {
  const fake = await startFakeGitLab({ token: TOKEN });
  closers.push(fake.close);
  return {
    url: fake.url,
    forge: (token) => createForge({ kind: 'gitlab', project: 'g/sub/p', apiUrl: fake.url }, token),
    stored: () =>
      fake.mergeRequests.map((m) => ({
        number: m.iid,
        branch: m.sourceBranch,
        base: m.targetBranch,
        title: m.title,
        body: m.description,
        state: m.state === 'opened' ? 'open' : m.state,
        labels: [...m.labels].sort(),
        url: m.webUrl,
      })),
    requests: fake.requests,
    addLabel: (number, label) => fake.mergeRequests.find((m) => m.iid === number)?.labels.push(label),
    addOther: (kind) => {
      const iid = fake.mergeRequests.length + 1;
      fake.mergeRequests.push({
        project: 'g/sub/p',
        sourceProject: kind === 'fork' ? 'someone/p' : 'g/sub/p',
        iid,
        sourceBranch: BRANCH,
        targetBranch: 'main',
        title: kind,
        description: '',
        state: kind === 'closed' ? 'closed' : 'opened',
        labels: [],
        webUrl: `${fake.url}/g/sub/p/-/merge_requests/${iid}`,
        removeSourceBranch: false,
      });
    },
    expectedAuth: TOKEN,
    mergeUrl: (number) =>
      `${fake.url}/api/v4/projects/${encodeURIComponent('g/sub/p')}/merge_requests/${number}/merge`,
    authHeaders: () => ({ 'private-token': TOKEN }),
  };
}

const FAKES: Record<ForgeKind, () => Promise<Fake>> = { github: startGitHub, gitlab: startGitLab };

async function failure(promise: Promise<unknown>): Promise<ForgeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ForgeError);
  return err as ForgeError;
}

describe.each(['github', 'gitlab'] as const)('%s forge', (kind) => {
  it('opens a proposal with its title, body and labels', async () => {
    const fake = await FAKES[kind]();
    const result = await propose(fake.forge(TOKEN), proposal());

    expect(result.reused).toBe(false);
    expect(fake.stored()).toEqual([
      {
        number: 1,
        branch: BRANCH,
        base: 'main',
        title: 'selfreview: remove unused imports in 2 files',
        body: proposal().body,
        state: 'open',
        labels: ['selfreview:needs-review'],
        url: result.url,
      },
    ]);
    expect(result.number).toBe(1);
    expect(result.url).toBe(
      kind === 'github' ? `${fake.url}/o/r/pull/1` : `${fake.url}/g/sub/p/-/merge_requests/1`,
    );
  });

  it('proposing the same branch again updates the open one: new body, selfreview label switched, others kept', async () => {
    const fake = await FAKES[kind]();
    const forge = fake.forge(TOKEN);
    const first = await propose(forge, proposal());
    fake.addLabel(first.number, 'team:frontend');

    const second = await propose(
      forge,
      proposal({ body: 'Updated after a rebase.', labels: ['selfreview:auto-mergeable'] }),
    );

    expect(second).toEqual({ number: first.number, url: first.url, reused: true });
    expect(fake.stored()).toHaveLength(1);
    expect(fake.stored()[0]).toMatchObject({
      body: 'Updated after a rebase.',
      labels: ['selfreview:auto-mergeable', 'team:frontend'],
    });
  });

  it('does not reuse a closed proposal or one from a fork with the same branch name', async () => {
    const fake = await FAKES[kind]();
    fake.addOther('closed');
    fake.addOther('fork');
    const forge = fake.forge(TOKEN);

    expect(await forge.findOpen(BRANCH)).toBeNull();
    const result = await propose(forge, proposal());
    expect(result).toMatchObject({ number: 3, reused: false });
  });

  it('a wrong token is a ForgeError with status 401 that names the forge and carries no token', async () => {
    const fake = await FAKES[kind]();
    const err = await failure(propose(fake.forge(WRONG), proposal()));

    expect(err.status).toBe(401);
    expect(err.message).toMatch(
      new RegExp(`^${kind}: list (pull|merge) requests for ${BRANCH} failed: 401 `),
    );
    expect(err.message).not.toContain(WRONG);
    expect(err.message).not.toContain(TOKEN);
    expect(JSON.stringify(err)).not.toContain(WRONG);
    expect(fake.stored()).toEqual([]);
  });

  it('a second open for the same branch is refused, with the forge status in the error', async () => {
    const fake = await FAKES[kind]();
    const forge = fake.forge(TOKEN);
    await forge.open(proposal());

    const err = await failure(forge.open(proposal()));
    expect(err.status).toBe(kind === 'github' ? 422 : 409);
    expect(err.message).toBe(
      kind === 'github'
        ? `github: create pull request for ${BRANCH} failed: 422 Validation Failed (A pull request already exists for o:${BRANCH}.)`
        : `gitlab: create merge request for ${BRANCH} failed: 409 Another open merge request already exists for this source branch: !1`,
    );
  });

  it('an unreachable forge is a ForgeError without a status', async () => {
    const fake = await FAKES[kind]();
    const forge = fake.forge(TOKEN);
    await closers.pop()?.();

    const err = await failure(forge.findOpen(BRANCH));
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(new RegExp(`^${kind}: list (pull|merge) requests for ${BRANCH} failed: `));
  });

  it('never asks for a merge, and the token travels only in the auth header', async () => {
    const fake = await FAKES[kind]();
    const forge = fake.forge(TOKEN);
    await propose(forge, proposal());
    await propose(forge, proposal({ labels: ['selfreview:auto-mergeable'] }));

    expect(fake.requests.length).toBeGreaterThanOrEqual(4);
    expect(fake.requests.filter((r) => MERGE.test(r.path))).toEqual([]);
    for (const r of fake.requests) {
      expect(r.auth).toBe(fake.expectedAuth);
      expect(r.path).not.toContain(TOKEN);
      expect(r.body).not.toContain(TOKEN);
      expect(JSON.stringify(r.headers)).not.toContain(TOKEN);
    }

    // The check above would see a merge: the fake answers one with 405 and records it.
    const res = await fetch(fake.mergeUrl(1), { method: 'PUT', headers: fake.authHeaders() });
    expect(res.status).toBe(405);
    expect(fake.requests.filter((r) => MERGE.test(r.path))).toHaveLength(1);
  });
});

describe('github specifics', () => {
  it('looks the branch up as owner:branch and does not let maintainers of forks push to it', async () => {
    const fake = await startFakeGitHub({ token: TOKEN });
    closers.push(fake.close);
    const forge = createForge({ kind: 'github', project: 'o/r', apiUrl: `${fake.url}/` }, TOKEN);
    await propose(forge, proposal());

    const list = fake.requests.find((r) => r.method === 'GET' && r.path.startsWith('/repos/o/r/pulls?'));
    expect(new URL(list?.path ?? '', fake.url).searchParams.get('head')).toBe(`o:${BRANCH}`);
    expect(fake.pulls[0]?.maintainerCanModify).toBe(false);
    expect(fake.requests.every((r) => r.headers['user-agent']?.startsWith('selfreview'))).toBe(true);
  });
});

describe('gitlab specifics', () => {
  it('addresses a nested project by its encoded path, sends JSON and keeps the source branch', async () => {
    const fake = await startFakeGitLab({ token: TOKEN });
    closers.push(fake.close);
    const forge = createForge({ kind: 'gitlab', project: 'g/sub/p', apiUrl: fake.url }, TOKEN);
    await propose(forge, proposal({ labels: ['selfreview:needs-review', 'selfreview:codemod'] }));

    const create = fake.requests.find((r) => r.method === 'POST');
    expect(create?.path).toBe('/api/v4/projects/g%2Fsub%2Fp/merge_requests');
    expect(create?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(create?.body ?? '{}')).toMatchObject({
      source_branch: BRANCH,
      target_branch: 'main',
      labels: 'selfreview:needs-review,selfreview:codemod',
      remove_source_branch: false,
    });
    expect(fake.mergeRequests[0]?.removeSourceBranch).toBe(false);
    expect(fake.mergeRequests[0]?.labels.sort()).toEqual(['selfreview:codemod', 'selfreview:needs-review']);
  });
});
