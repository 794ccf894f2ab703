/**
 * The gateway exposed: through `app.inject()` on a real Redis with real BullMQ queues and jobs.
 * The dashboard (Bull Board at /ui) refuses every route that edits jobs, queues or schedulers,
 * with valid credentials, and Redis is byte for byte as before; operator actions go through the
 * API, which refuses cross-site requests and writes each action (refused ones too) to an audit
 * log in Redis and the process log, readable at /api/audit. Webhook events that change state
 * are accepted only when signed with the secret of the repository they name.
 */
import { createHmac } from 'node:crypto';
import { buildGateway, type GatewayQueues } from '@selfreview/gateway/app';
import { AuditLog } from '@selfreview/gateway/audit';
import { syncSchedules } from '@selfreview/gateway/schedules';
import { FindingMemory } from '@selfreview/shared/memory';
import { RepoPauses } from '@selfreview/shared/pauses';
import { ProposalIndex } from '@selfreview/shared/proposals';
import { ALL_QUEUES, type ScanJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { parseServerConfig } from '@selfreview/shared/server-config';
import { createQueue } from '@selfreview/shared/worker';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const AUTH = `Basic ${Buffer.from('ops:pw-123456').toString('base64')}`;
const SECRETS = { WEB_SECRET: 'web-hook-secret', API_SECRET: 'api-hook-secret' };
const TOKENS = { LAB_TOKEN: 'lab-hook-token', LAB2_TOKEN: 'lab2-hook-token' };
const SERVER_YAML = [
  'repositories:',
  '  - name: web',
  '    url: https://github.com/octo/web.git',
  '    schedule: "0 3 * * *"',
  '    webhooks: { github: { secretEnv: WEB_SECRET } }',
  '  - name: api',
  '    url: https://github.com/octo/api.git',
  '    webhooks: { github: { secretEnv: API_SECRET } }',
  '  - name: lab',
  '    path: /srv/lab',
  '    project: group/lab',
  '    webhooks: { gitlab: { tokenEnv: LAB_TOKEN } }',
  '  - name: lab2',
  '    path: /srv/lab2',
  '    project: group/lab2',
  '    webhooks: { gitlab: { tokenEnv: LAB2_TOKEN } }',
  '',
].join('\n');

const serverConfig = parseServerConfig(SERVER_YAML, 'selfreview.server.yaml');
const prefix = uniquePrefix('gwsec');
const redis = connect('producer');
const proposals = new ProposalIndex(redis, prefix);
const memory = new FindingMemory(redis, prefix);
/** Every line the gateway logs, parsed: the audit's second copy is read from here. */
const logLines: Record<string, unknown>[] = [];
let queues: GatewayQueues;
let app: FastifyInstance;

beforeAll(async () => {
  queues = Object.fromEntries(ALL_QUEUES.map((q) => [q, createQueue(q, redis, prefix)])) as GatewayQueues;
  app = await buildGateway({
    redis,
    prefix,
    queues,
    runs: new RunStore(redis, prefix),
    pauses: new RepoPauses(redis, prefix),
    serverConfig,
    env: { ...SECRETS, ...TOKENS },
    credentials: { user: 'ops', password: 'pw-123456' },
    log: pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) }),
    coalesceMs: 60_000,
    proposals,
    memory,
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  for (const q of Object.values(queues)) await q.close();
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

beforeEach(async () => {
  for (const q of Object.values(queues)) await q.obliterate({ force: true });
  await redis.del(`${prefix}:audit`, `${prefix}:paused`);
  logLines.length = 0;
});

function scanJob(runId: string): ScanJob {
  return {
    runId,
    repo: { path: '/srv/web', name: 'web' },
    baseBranch: 'main',
    baseSha: 'a'.repeat(40),
    mode: 'full',
  };
}

/** Adds a scan job and fails it as a worker would. */
async function failedScanJob(runId: string): Promise<Job> {
  const job = await queues.scan.add('full-scan', scanJob(runId), { jobId: `${runId}-scan` });
  const connection = connect('worker');
  const worker = new Worker('scan', null, { connection, prefix });
  try {
    const taken = (await worker.getNextJob('token-1')) as Job;
    expect(taken.id).toBe(job.id);
    await taken.moveToFailed(new UnrecoverableError('boom'), 'token-1');
  } finally {
    await worker.close();
    await connection.quit();
  }
  return job;
}

/** Every key under the prefix but the audit log, with its serialised value: "nothing changed" means this is equal. */
async function redisSnapshot(): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  let cursor = '0';
  for (let round = 0; round < 1_000; round++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    for (const key of keys) {
      if (key === `${prefix}:audit`) continue;
      const dumped = await redis.dumpBuffer(key);
      if (dumped) snapshot.set(key, dumped.toString('hex'));
    }
    cursor = next;
    if (cursor === '0') return snapshot;
  }
  throw new Error('SCAN did not finish');
}

type AuditEntry = {
  at: string;
  user: string;
  address: string;
  action: string;
  target: string;
  status: number;
};
const auditEntries = async (): Promise<AuditEntry[]> => {
  const res = await app.inject({ url: '/api/audit', headers: { authorization: AUTH } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { entries: AuditEntry[] }).entries;
};

describe('the dashboard is read-only', () => {
  it('shows every queue as read-only with retries off, so the board offers no action buttons', async () => {
    const res = await app.inject({ url: '/ui/api/queues', headers: { authorization: AUTH } });
    expect(res.statusCode).toBe(200);
    const board = res.json() as { queues: { name: string; readOnlyMode: boolean; allowRetries: boolean }[] };
    expect(board.queues.map((q) => q.name).sort()).toEqual([...ALL_QUEUES].sort());
    for (const q of board.queues)
      expect(q, q.name).toMatchObject({ readOnlyMode: true, allowRetries: false });
  });

  it('refuses every route that edits jobs, queues or schedulers, with valid credentials; Redis is unchanged', async () => {
    const failed = await failedScanJob('run-f');
    const waiting = await queues.scan.add('full-scan', scanJob('run-w'), { jobId: 'run-w-scan' });
    const delayed = await queues.scan.add('full-scan', scanJob('run-d'), {
      jobId: 'run-d-scan',
      delay: 600_000,
    });
    await syncSchedules(queues.trigger, serverConfig);
    const before = await redisSnapshot();
    expect(before.size).toBeGreaterThan(5);

    const json = { 'content-type': 'application/json' };
    const attempts: { method: 'PUT' | 'PATCH' | 'POST' | 'DELETE'; url: string; body?: unknown }[] = [
      { method: 'PUT', url: `/ui/api/queues/scan/${failed.id}/retry` },
      { method: 'PUT', url: '/ui/api/queues/scan/retry/failed' },
      { method: 'PUT', url: `/ui/api/queues/scan/${failed.id}/clean` },
      { method: 'PUT', url: '/ui/api/queues/scan/clean/failed' },
      { method: 'PUT', url: '/ui/api/queues/scan/clean/waiting' },
      { method: 'PUT', url: `/ui/api/queues/scan/${delayed.id}/promote` },
      { method: 'PUT', url: '/ui/api/queues/scan/promote' },
      {
        method: 'PATCH',
        url: `/ui/api/queues/scan/${waiting.id}/update-data`,
        body: { jobData: { ...scanJob('run-w'), runId: 'evil' } },
      },
      { method: 'PATCH', url: `/ui/api/queues/scan/${delayed.id}/delay`, body: { runAt: Date.now() } },
      { method: 'PATCH', url: `/ui/api/queues/scan/${waiting.id}/priority`, body: { priority: 1 } },
      { method: 'PUT', url: `/ui/api/queues/scan/${waiting.id}/remove-unprocessed-children` },
      {
        method: 'POST',
        url: '/ui/api/queues/scan/add',
        body: { name: 'evil', data: scanJob('evil'), options: {} },
      },
      { method: 'PUT', url: '/ui/api/queues/scan/pause' },
      { method: 'PUT', url: '/ui/api/queues/scan/resume' },
      { method: 'PUT', url: '/ui/api/queues/pause' },
      { method: 'PUT', url: '/ui/api/queues/resume' },
      { method: 'PUT', url: '/ui/api/queues/scan/empty' },
      { method: 'PUT', url: '/ui/api/queues/scan/obliterate', body: { force: true } },
      { method: 'PUT', url: '/ui/api/queues/scan/concurrency', body: { concurrency: 1 } },
      { method: 'PUT', url: '/ui/api/queues/scan/rate-limit', body: { max: 1, duration: 60_000 } },
      { method: 'PUT', url: '/ui/api/queues/scan/rate-limit/release' },
      { method: 'PUT', url: '/ui/api/queues/trigger/job-schedulers/schedule:web/remove' },
      { method: 'PUT', url: '/ui/api/queues/trigger/job-schedulers/schedule:web/run' },
      {
        method: 'PATCH',
        url: '/ui/api/queues/trigger/job-schedulers/schedule:web',
        body: { pattern: '* * * * *' },
      },
      { method: 'DELETE', url: `/ui/api/queues/scan/${waiting.id}` },
    ];
    for (const a of attempts) {
      const res = await app.inject({
        method: a.method,
        url: a.url,
        headers: { authorization: AUTH, ...(a.body === undefined ? {} : json) },
        ...(a.body === undefined ? {} : { payload: JSON.stringify(a.body) }),
      });
      // 405 from the gateway; a method bull-board has no route for at all is 404.
      expect([404, 405], `${a.method} ${a.url}: ${res.body}`).toContain(res.statusCode);
    }

    expect(await redisSnapshot()).toEqual(before);
    expect(await failed.getState()).toBe('failed');
    expect((await queues.scan.getJob(waiting.id as string))?.data).toEqual(scanJob('run-w'));
    expect(await delayed.getState()).toBe('delayed');
    expect(await queues.scan.isPaused()).toBe(false);
    expect((await queues.trigger.getJobSchedulers()).map((s) => [s.key, s.pattern])).toEqual([
      ['schedule:web', '0 3 * * *'],
    ]);

    // The refusals are in the audit log, each with who and on what.
    const entries = await auditEntries();
    const retry = entries.find((e) => e.action === 'PUT /ui/api/queues/:queueName/:jobId/retry');
    expect(retry).toMatchObject({ user: 'ops', target: `scan/${failed.id}`, status: 405 });
    expect(entries.filter((e) => e.status === 405)).toHaveLength(
      attempts.filter((a) => a.method !== 'DELETE').length,
    );
  });

  it('says where the actions went, and still serves its pages to an authenticated operator', async () => {
    const refused = await app.inject({
      method: 'PUT',
      url: '/ui/api/queues/scan/pause',
      headers: { authorization: AUTH },
    });
    expect(refused.statusCode).toBe(405);
    expect(refused.headers.allow).toBe('GET, HEAD');
    expect(refused.json().error).toMatch(/read-only.*GET \/api/);
    const page = await app.inject({ url: '/ui/queue/scan', headers: { authorization: AUTH } });
    expect(page.statusCode).toBe(200);
    // The board's header links to the API index.
    expect(page.body).toContain(
      '"miscLinks":[{"text":"Retry, pause, resume: the selfreview API","url":"/api"}]',
    );
    const index = await app.inject({ url: '/api', headers: { authorization: AUTH } });
    expect(index.statusCode).toBe(200);
    const routes = (index.json() as { routes: { method: string; path: string; audit?: string }[] }).routes;
    expect(routes).toContainEqual(
      expect.objectContaining({
        method: 'POST',
        path: '/api/queues/:queue/jobs/:id/retry',
        audit: 'queue.job.retry',
      }),
    );
    expect(routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/api/audit' }));
  });
});

describe('operator actions through the API', () => {
  it('re-queues a failed job and audits it: user, action, target, address, status, in Redis and in the log', async () => {
    const failed = await failedScanJob('run-r');
    const res = await app.inject({
      method: 'POST',
      url: `/api/queues/scan/jobs/${failed.id}/retry`,
      headers: { authorization: AUTH },
      remoteAddress: '127.0.0.9',
    });
    expect(res.statusCode).toBe(200);
    expect(await failed.getState()).toBe('waiting');

    const [entry] = await auditEntries();
    expect(entry).toMatchObject({
      user: 'ops',
      action: 'queue.job.retry',
      target: `scan/${failed.id}`,
      address: '127.0.0.9',
      status: 200,
    });
    expect(Date.now() - Date.parse(entry?.at ?? '')).toBeLessThan(60_000);
    const logged = logLines.find((l) => l.msg === 'operator action');
    expect(logged?.audit).toEqual(entry);

    // A retry the API refuses (not failed any more) is recorded as refused.
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/queues/scan/jobs/${failed.id}/retry`,
          headers: { authorization: AUTH },
        })
      ).statusCode,
    ).toBe(409);
    expect((await auditEntries())[0]).toMatchObject({ action: 'queue.job.retry', status: 409 });
  });

  it('audits pause and resume of a repository, newest first; reads are not audited', async () => {
    for (const action of ['pause', 'resume']) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/repositories/web/${action}`,
        headers: { authorization: AUTH },
      });
      expect(res.statusCode).toBe(200);
    }
    await app.inject({ url: '/api/repositories', headers: { authorization: AUTH } });
    expect((await auditEntries()).map((e) => [e.action, e.target, e.status])).toEqual([
      ['repository.resume', 'web', 200],
      ['repository.pause', 'web', 200],
    ]);
  });

  it('refuses a cross-site POST with valid credentials, changes nothing, and audits the refusal', async () => {
    const failed = await failedScanJob('run-x');
    const url = `/api/queues/scan/jobs/${failed.id}/retry`;
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      // A browser that sends no Sec-Fetch-Site still sends Origin with a POST.
      { origin: 'https://evil.example' },
      // A sibling subdomain is not this origin either.
      { origin: 'https://evil.gw.example', 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: AUTH, host: 'gw.example', ...headers },
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error).toMatch(/cross-site/);
    }
    expect(await failed.getState()).toBe('failed');
    const entries = await auditEntries();
    expect(entries).toHaveLength(crossSite.length);
    for (const e of entries)
      expect(e).toMatchObject({
        user: 'ops',
        action: 'queue.job.retry',
        target: `scan/${failed.id}`,
        status: 403,
      });

    // From the gateway's own page it goes through.
    const same = await app.inject({
      method: 'POST',
      url,
      headers: {
        authorization: AUTH,
        host: 'gw.example',
        origin: 'https://gw.example',
        'sec-fetch-site': 'same-origin',
      },
    });
    expect(same.statusCode).toBe(200);
    expect(await failed.getState()).toBe('waiting');
  });

  it('reads the audit log only with credentials, and records nothing for a request without them', async () => {
    expect((await app.inject({ url: '/api/audit' })).statusCode).toBe(401);
    const wrong = `Basic ${Buffer.from('ops:nope').toString('base64')}`;
    expect((await app.inject({ url: '/api/audit', headers: { authorization: wrong } })).statusCode).toBe(401);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/repositories/web/pause',
          headers: { authorization: wrong },
        })
      ).statusCode,
    ).toBe(401);
    expect(await auditEntries()).toEqual([]);
    expect(
      (await app.inject({ url: '/api/audit?limit=0', headers: { authorization: AUTH } })).statusCode,
    ).toBe(400);
  });

  it('keeps the newest entries only, up to its cap', async () => {
    const audit = new AuditLog(redis, `${prefix}-cap`, pino({ level: 'silent' }), 3);
    for (let i = 1; i <= 5; i++) {
      await audit.record({
        at: new Date().toISOString(),
        user: 'ops',
        address: '127.0.0.1',
        action: 'repository.pause',
        target: `r${i}`,
        status: 200,
      });
    }
    expect(await redis.llen(audit.key)).toBe(3);
    expect((await audit.recent(10)).map((e) => e.target)).toEqual(['r5', 'r4', 'r3']);
    await redis.del(audit.key);
  });
});

describe('webhook events are bound to the repository whose secret signs them', () => {
  const BRANCH = 'selfreview/remove-unused-imports-0123456789';
  const IDS = ['unused-import:abc', 'unused-import:def'];
  const sign = (body: string, secret: string) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  let delivery = 0;
  const github = (event: string, body: string, secret: string) =>
    app.inject({
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
    app.inject({
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
  const triggers = async () => queues.trigger.getJobs(['waiting', 'delayed', 'active']);

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
