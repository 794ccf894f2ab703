/**
 * The gateway's webhooks through `app.inject()` on a real Redis: every push example of
 * @octokit/webhooks-examples, signed, starts one scan trigger; every other event is ignored;
 * signatures are checked on the raw bytes; redeliveries start nothing; bursts coalesce; a
 * body over the limit is refused unread. And the schedules follow the configuration.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { buildGateway, type GatewayQueues } from '@selfreview/gateway/app';
import { syncSchedules } from '@selfreview/gateway/schedules';
import { FindingMemory } from '@selfreview/shared/memory';
import { RepoPauses } from '@selfreview/shared/pauses';
import { ProposalIndex } from '@selfreview/shared/proposals';
import { ALL_QUEUES } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import { parseServerConfig, type ServerConfig } from '@selfreview/shared/server-config';
import { createQueue } from '@selfreview/shared/worker';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

type Definition = { name: string; examples: Record<string, unknown>[] };
const definitions = createRequire(import.meta.url)(
  '@octokit/webhooks-examples/api.github.com/index.json',
) as Definition[];

const SECRET = 'webhook-test-secret';
const GITLAB_TOKEN = 'gitlab-test-token';

function sign(body: string | Buffer, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Each example, pointed at the configured repository and its watched branch when it is a branch push. */
function retarget(example: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(example) as { ref?: string; repository?: Record<string, unknown> };
  if (copy.repository) {
    copy.repository.full_name = 'octo/web';
    copy.repository.clone_url = 'https://github.com/octo/web.git';
  }
  if (typeof copy.ref === 'string' && copy.ref.startsWith('refs/heads/')) copy.ref = 'refs/heads/main';
  return copy as Record<string, unknown>;
}

describe('gateway webhooks', () => {
  const prefix = uniquePrefix('gw');
  const redis = connect('producer');
  let queues: GatewayQueues;
  let app: FastifyInstance;
  let serverConfig: ServerConfig;
  let delivery = 0;
  const proposals = new ProposalIndex(redis, prefix);
  const memory = new FindingMemory(redis, prefix);

  beforeAll(async () => {
    queues = Object.fromEntries(ALL_QUEUES.map((q) => [q, createQueue(q, redis, prefix)])) as GatewayQueues;
    serverConfig = parseServerConfig(
      [
        'repositories:',
        '  - name: web',
        '    url: https://github.com/octo/web.git',
        '    branch: main',
        '    schedule: "0 3 * * *"',
        '    webhooks:',
        '      github: { secretEnv: WEB_HOOK_SECRET }',
        '  - name: lab',
        '    path: /srv/lab',
        '    project: group/lab',
        '    webhooks:',
        '      gitlab: { tokenEnv: LAB_HOOK_TOKEN }',
        '',
      ].join('\n'),
      'selfreview.server.yaml',
    );
    app = await buildGateway({
      redis,
      prefix,
      queues,
      runs: new RunStore(redis, prefix),
      pauses: new RepoPauses(redis, prefix),
      serverConfig,
      env: { WEB_HOOK_SECRET: SECRET, LAB_HOOK_TOKEN: GITLAB_TOKEN },
      credentials: { user: 'ops', password: 'pw-123456' },
      log: pino({ level: 'silent' }),
      bodyLimitBytes: 256 * 1024,
      coalesceMs: 60_000,
      proposals,
      memory,
    });
  });
  beforeEach(async () => {
    await queues.trigger.obliterate({ force: true });
  });
  afterAll(async () => {
    await app.close();
    for (const q of Object.values(queues)) await q.close();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });

  const github = (body: string | Buffer, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/github',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `d-${++delivery}`,
        'x-hub-signature-256': sign(body),
        ...headers,
      },
    });
  const triggers = async () => queues.trigger.getJobs(['waiting', 'delayed', 'active']);

  it("verifies GitHub's published HMAC test vector", async () => {
    expect(sign('Hello, World!', "It's a Secret to Everybody")).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('accepts every signed push example: each branch push starts one trigger, tag pushes are ignored', async () => {
    const pushes = definitions.find((d) => d.name === 'push')?.examples ?? [];
    expect(pushes.length).toBeGreaterThan(0);
    for (const example of pushes) {
      await queues.trigger.obliterate({ force: true });
      const body = JSON.stringify(retarget(example));
      const res = await github(body);
      expect(res.statusCode).toBe(202);
      const isBranchPush =
        String(example.ref).startsWith('refs/heads/') && !/^0{40}$/.test(String(example.after));
      const jobs = await triggers();
      if (isBranchPush) {
        expect(res.json()).toMatchObject({ status: 'queued', repository: 'web' });
        expect(jobs).toHaveLength(1);
        expect(jobs[0]?.data).toMatchObject({ kind: 'push', repo: { name: 'web', branch: 'main' } });
      } else {
        expect(res.json().status).toBe('ignored');
        expect(jobs).toHaveLength(0);
      }
    }
  });

  it('answers every other event 2xx and starts nothing', async () => {
    let checked = 0;
    for (const definition of definitions.filter((d) => d.name !== 'push')) {
      for (const example of definition.examples.slice(0, 2)) {
        const body = JSON.stringify(retarget(example));
        const res = await github(body, { 'x-github-event': definition.name });
        expect(res.statusCode, definition.name).toBe(202);
        expect(res.json().status).toBe('ignored');
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(await triggers()).toHaveLength(0);
  });

  it('refuses tampered bodies and missing, malformed, wrong-length or wrong signatures with 401', async () => {
    const body = JSON.stringify(retarget(definitions.find((d) => d.name === 'push')?.examples[0] ?? {}));
    const good = sign(body);
    const cases: Record<string, string | undefined>[] = [
      { 'x-hub-signature-256': undefined },
      { 'x-hub-signature-256': 'sha256=' },
      { 'x-hub-signature-256': `sha1=${good.slice(7, 47)}` },
      { 'x-hub-signature-256': good.slice(0, -2) },
      { 'x-hub-signature-256': `${good}00` },
      { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` },
      { 'x-hub-signature-256': sign(body, 'another-secret') },
    ];
    for (const headers of cases) {
      const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/github',
        payload: body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': `bad-${++delivery}`,
          ...clean,
        },
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
    }
    // One byte more (JSON-wise the same payload): the signature covers the raw bytes.
    const tampered = await github(`${body} `, { 'x-hub-signature-256': good });
    expect(tampered.statusCode).toBe(401);
    expect(await triggers()).toHaveLength(0);
  });

  it('starts nothing for a replayed delivery, also after the first trigger was completed and removed', async () => {
    const body = JSON.stringify(
      retarget(
        definitions
          .find((d) => d.name === 'push')
          ?.examples.find((e) => String(e.ref).startsWith('refs/heads/')) ?? {},
      ),
    );
    const first = await github(body, { 'x-github-delivery': 'replayed-1' });
    expect(first.json().status).toBe('queued');
    await queues.trigger.obliterate({ force: true });
    const again = await github(body, { 'x-github-delivery': 'replayed-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('duplicate');
    expect(await triggers()).toHaveLength(0);
  });

  it('coalesces a burst of pushes to one branch into one waiting trigger with the newest commit', async () => {
    const base = retarget(
      definitions
        .find((d) => d.name === 'push')
        ?.examples.find((e) => String(e.ref).startsWith('refs/heads/')) ?? {},
    );
    const shas = ['1', '2', '3'].map((c) => c.repeat(40));
    // Earlier tests pushed to this branch too: this burst is the first since its last trigger.
    for (const key of await redis.keys(`${prefix}:first-push:*`)) await redis.del(key);
    let before = 'a'.repeat(40);
    for (const after of shas) {
      const res = await github(JSON.stringify({ ...base, before, after }));
      expect(res.statusCode).toBe(202);
      before = after;
    }
    const jobs = await triggers();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.data).toMatchObject({ before: shas[1], after: shas[2] });
    // Where the burst began, for a branch with no scan recorded: the first push's `before`.
    const firstPush = await redis.keys(`${prefix}:first-push:*`);
    expect(firstPush).toHaveLength(1);
    expect(await redis.get(firstPush[0] as string)).toBe('a'.repeat(40));
  });

  it('ignores pushes to other branches and to unknown repositories, with 2xx', async () => {
    const base = retarget(
      definitions
        .find((d) => d.name === 'push')
        ?.examples.find((e) => String(e.ref).startsWith('refs/heads/')) ?? {},
    );
    const other = await github(JSON.stringify({ ...base, ref: 'refs/heads/feature' }));
    expect(other.json()).toMatchObject({ status: 'ignored', reason: 'branch feature is not watched' });
    const stranger = structuredClone(base) as { repository: Record<string, unknown> };
    stranger.repository.full_name = 'someone/else';
    stranger.repository.clone_url = 'https://github.com/someone/else.git';
    for (const k of ['html_url', 'ssh_url', 'git_url', 'svn_url', 'url']) delete stranger.repository[k];
    const unknown = await github(JSON.stringify(stranger));
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json().reason).toMatch(/is not configured/);
    expect(await triggers()).toHaveLength(0);
  });

  it('refuses a body over the limit with 413 before reading it as JSON', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(300 * 1024) });
    const res = await github(big);
    expect(res.statusCode).toBe(413);
  });

  it('takes GitLab pushes by token, deduplicated by event UUID', async () => {
    const payload = JSON.stringify({
      object_kind: 'push',
      ref: 'refs/heads/main',
      before: 'b'.repeat(40),
      after: 'c'.repeat(40),
      project: { path_with_namespace: 'group/lab', git_http_url: 'https://gitlab.example/group/lab.git' },
      commits: [{ id: 'c'.repeat(40), added: ['src/a.ts'], modified: [], removed: [] }],
      total_commits_count: 1,
    });
    const send = (token: string | undefined, uuid: string) =>
      app.inject({
        method: 'POST',
        url: '/webhooks/gitlab',
        payload,
        headers: {
          'content-type': 'application/json',
          'x-gitlab-event': 'Push Hook',
          'x-gitlab-event-uuid': uuid,
          ...(token === undefined ? {} : { 'x-gitlab-token': token }),
        },
      });
    expect((await send(undefined, 'u-0')).statusCode).toBe(401);
    expect((await send('wrong', 'u-0')).statusCode).toBe(401);
    const ok = await send(GITLAB_TOKEN, 'u-1');
    expect(ok.json()).toMatchObject({ status: 'queued', repository: 'lab' });
    expect((await send(GITLAB_TOKEN, 'u-1')).json().status).toBe('duplicate');
    expect((await triggers()).map((j) => j.data.repo.name)).toEqual(['lab']);
  });

  it('remembers the findings of a selfreview pull request closed without merging as rejected', async () => {
    const branch = 'selfreview/remove-unused-imports-0123456789';
    await proposals.remember('github', 'octo/web', branch, {
      repoPath: '/srv/web',
      runId: 'run-1',
      batchId: 'run-1-b-1',
      candidateIds: ['unused-import:abc', 'unused-import:def'],
    });
    const closed = (merged: boolean, head = branch) =>
      JSON.stringify({
        action: 'closed',
        number: 7,
        pull_request: { merged, head: { ref: head } },
        repository: { full_name: 'octo/web' },
      });
    const merged = await github(closed(true), { 'x-github-event': 'pull_request' });
    expect(merged.json().status).toBe('ignored');
    const someoneElses = await github(closed(false, 'feature/x'), { 'x-github-event': 'pull_request' });
    expect(someoneElses.json().status).toBe('ignored');
    const rejected = await github(closed(false), { 'x-github-event': 'pull_request' });
    expect(rejected.json()).toEqual({ status: 'recorded', findings: 2 });
    const remembered = await memory.recall('/srv/web', ['unused-import:abc', 'unused-import:def']);
    expect([...remembered.values()].map((r) => r.outcome)).toEqual(['rejected', 'rejected']);
    // Told once: a redelivery finds nothing left to record.
    expect((await github(closed(false), { 'x-github-event': 'pull_request' })).json().status).toBe('ignored');
    expect(await triggers()).toHaveLength(0);
  });

  it('puts the dashboard behind authentication but not the webhooks or health', async () => {
    expect((await app.inject({ url: '/ui' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const auth = `Basic ${Buffer.from('ops:pw-123456').toString('base64')}`;
    const ui = await app.inject({ url: '/ui', headers: { authorization: auth } });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('<html');
  });

  it('keeps one scheduler per scheduled repository, updated and removed with the configuration', async () => {
    const first = await syncSchedules(queues.trigger, serverConfig);
    expect(first.upserted).toEqual(['schedule:web']);
    const [scheduler] = await queues.trigger.getJobSchedulers();
    expect(scheduler).toMatchObject({ key: 'schedule:web', pattern: '0 3 * * *' });
    const changed = parseServerConfig(
      'repositories:\n  - name: web\n    url: https://github.com/octo/web.git\n    schedule: "30 4 * * 1"\n',
      'x.yaml',
    );
    await syncSchedules(queues.trigger, changed);
    expect((await queues.trigger.getJobSchedulers()).map((s) => [s.key, s.pattern])).toEqual([
      ['schedule:web', '30 4 * * 1'],
    ]);
    const removed = await syncSchedules(queues.trigger, parseServerConfig('repositories: []\n', 'x.yaml'));
    expect(removed.removed).toEqual(['schedule:web']);
    expect(await queues.trigger.getJobSchedulers()).toEqual([]);
  });
});
