/**
 * Webhook events that change state (a pull or merge request closed, a push) are accepted only
 * when signed with the secret of the repository they name: GitHub's signature and GitLab's token
 * of another configured repository are refused and mark or start nothing.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SECRETS, securityGatewayTestBed, TOKENS } from './helpers/gateway.ts';

const gw = securityGatewayTestBed();
const { proposals, memory, logLines } = gw;

describe('webhook events are bound to the repository whose secret signs them', () => {
  const BRANCH = 'selfreview/remove-unused-imports-0123456789';
  const IDS = ['unused-import:abc', 'unused-import:def'];
  const sign = (body: string, secret: string) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  let delivery = 0;
  const github = (event: string, body: string, secret: string) =>
    gw.app.inject({
      method: 'POST',
      url: '/webhooks/github',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': `sec-${++delivery}`,
        'x-hub-signature-256': sign(body, secret),
      },
    });
  const gitlab = (event: string, body: string, token: string) =>
    gw.app.inject({
      method: 'POST',
      url: '/webhooks/gitlab',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': event,
        'x-gitlab-event-uuid': `sec-${++delivery}`,
        'x-gitlab-token': token,
      },
    });
  const rejectedIn = async (repoPath: string) =>
    [...(await memory.recall(repoPath, IDS)).values()].filter((r) => r.outcome === 'rejected').length;
  const triggers = async () => gw.queues.trigger.getJobs(['waiting', 'delayed', 'active']);

  const prClosed = (fullName: string, cloneUrl = `https://github.com/${fullName}.git`) =>
    JSON.stringify({
      action: 'closed',
      number: 7,
      pull_request: { merged: false, head: { ref: BRANCH } },
      repository: { full_name: fullName, clone_url: cloneUrl, html_url: `https://github.com/${fullName}` },
    });

  it("GitHub: a pull request closed for one repository, signed with another's secret, is refused and marks nothing", async () => {
    await proposals.remember('github', 'octo/api', BRANCH, {
      repoPath: '/srv/api',
      runId: 'r',
      batchId: 'r-b1',
      candidateIds: IDS,
    });
    const foreign = await github('pull_request', prClosed('octo/api'), SECRETS.WEB_SECRET);
    expect(foreign.statusCode).toBe(401);
    expect(foreign.json().error).toMatch(/does not belong/);
    // The payload naming the other project while its URLs are the signer's: still the other project's proposal, refused.
    const mixed = await github(
      'pull_request',
      prClosed('octo/api', 'https://github.com/octo/web.git'),
      SECRETS.WEB_SECRET,
    );
    expect(mixed.statusCode).toBe(401);
    expect(await rejectedIn('/srv/api')).toBe(0);
    expect(await proposals.lookup('github', 'octo/api', BRANCH)).not.toBeNull();
    expect(logLines.some((l) => String(l.msg).includes("another repository's secret"))).toBe(true);

    const rightful = await github('pull_request', prClosed('octo/api'), SECRETS.API_SECRET);
    expect(rightful.statusCode).toBe(202);
    expect(rightful.json()).toEqual({ status: 'recorded', findings: 2 });
    expect(await rejectedIn('/srv/api')).toBe(2);
  });

  it('GitHub: a pull request closed for an unconfigured project is ignored, whoever signs it', async () => {
    await proposals.remember('github', 'someone/else', BRANCH, {
      repoPath: '/srv/else',
      runId: 'r',
      batchId: 'r-b1',
      candidateIds: IDS,
    });
    const res = await github('pull_request', prClosed('someone/else'), SECRETS.WEB_SECRET);
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('ignored');
    expect(await rejectedIn('/srv/else')).toBe(0);
  });

  it("GitHub: a push for one repository signed with another's secret is refused; its own starts a scan", async () => {
    const push = JSON.stringify({
      ref: 'refs/heads/main',
      before: 'b'.repeat(40),
      after: 'c'.repeat(40),
      commits: [{ added: ['src/a.ts'], modified: [], removed: [] }],
      repository: { full_name: 'octo/api', clone_url: 'https://github.com/octo/api.git' },
    });
    expect((await github('push', push, SECRETS.WEB_SECRET)).statusCode).toBe(401);
    expect(await triggers()).toHaveLength(0);
    const own = await github('push', push, SECRETS.API_SECRET);
    expect(own.statusCode).toBe(202);
    expect(own.json()).toMatchObject({ status: 'queued', repository: 'api' });
  });

  const mrClosed = (project: string) =>
    JSON.stringify({
      object_kind: 'merge_request',
      project: { path_with_namespace: project, web_url: `https://gitlab.example/${project}` },
      object_attributes: { action: 'close', state: 'closed', source_branch: BRANCH },
    });

  it("GitLab: a merge request closed for one project, with another's token, is refused and marks nothing", async () => {
    await proposals.remember('gitlab', 'group/lab2', BRANCH, {
      repoPath: '/srv/lab2',
      runId: 'r',
      batchId: 'r-b1',
      candidateIds: IDS,
    });
    const foreign = await gitlab('Merge Request Hook', mrClosed('group/lab2'), TOKENS.LAB_TOKEN);
    expect(foreign.statusCode).toBe(401);
    expect(await rejectedIn('/srv/lab2')).toBe(0);
    expect(await proposals.lookup('gitlab', 'group/lab2', BRANCH)).not.toBeNull();

    const rightful = await gitlab('Merge Request Hook', mrClosed('group/lab2'), TOKENS.LAB2_TOKEN);
    expect(rightful.statusCode).toBe(202);
    expect(rightful.json()).toEqual({ status: 'recorded', findings: 2 });
    expect(await rejectedIn('/srv/lab2')).toBe(2);
  });

  it("GitLab: a push for one project with another's token is refused; its own starts a scan", async () => {
    const push = JSON.stringify({
      object_kind: 'push',
      ref: 'refs/heads/main',
      before: 'b'.repeat(40),
      after: 'c'.repeat(40),
      project: { path_with_namespace: 'group/lab2', git_http_url: 'https://gitlab.example/group/lab2.git' },
      commits: [{ id: 'c'.repeat(40), added: ['src/a.ts'], modified: [], removed: [] }],
      total_commits_count: 1,
    });
    expect((await gitlab('Push Hook', push, TOKENS.LAB_TOKEN)).statusCode).toBe(401);
    expect(await triggers()).toHaveLength(0);
    const own = await gitlab('Push Hook', push, TOKENS.LAB2_TOKEN);
    expect(own.statusCode).toBe(202);
    expect(own.json()).toMatchObject({ status: 'queued', repository: 'lab2' });
  });
});
