/**
 * The gateway's dashboard (Bull Board at /ui) is read-only: it refuses every route that edits
 * jobs, queues or schedulers, with valid credentials, and Redis is byte for byte as before; the
 * refusals are audited, and the board points operators to the API, where actions go.
 */
import { syncSchedules } from '@selfreview/gateway/schedules';
import { ALL_QUEUES } from '@selfreview/shared/queues';
import { describe, expect, it } from 'vitest';
import { AUTH, securityGatewayTestBed } from './helpers/gateway.ts';

const gw = securityGatewayTestBed();
const { prefix, redis, serverConfig, scanJob, failedScanJob, auditEntries } = gw;

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

describe('the dashboard is read-only', () => {
  it('shows every queue as read-only with retries off, so the board offers no action buttons', async () => {
    const res = await gw.app.inject({ url: '/ui/api/queues', headers: { authorization: AUTH } });
    expect(res.statusCode).toBe(200);
    const board = res.json() as { queues: { name: string; readOnlyMode: boolean; allowRetries: boolean }[] };
    expect(board.queues.map((q) => q.name).sort()).toEqual([...ALL_QUEUES].sort());
    for (const q of board.queues)
      expect(q, q.name).toMatchObject({ readOnlyMode: true, allowRetries: false });
  });

  it('refuses every route that edits jobs, queues or schedulers, with valid credentials; Redis is unchanged', async () => {
    const failed = await failedScanJob('run-f');
    const waiting = await gw.queues.scan.add('full-scan', scanJob('run-w'), { jobId: 'run-w-scan' });
    const delayed = await gw.queues.scan.add('full-scan', scanJob('run-d'), {
      jobId: 'run-d-scan',
      delay: 600_000,
    });
    await syncSchedules(gw.queues.trigger, serverConfig);
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
      const res = await gw.app.inject({
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
    expect((await gw.queues.scan.getJob(waiting.id as string))?.data).toEqual(scanJob('run-w'));
    expect(await delayed.getState()).toBe('delayed');
    expect(await gw.queues.scan.isPaused()).toBe(false);
    expect((await gw.queues.trigger.getJobSchedulers()).map((s) => [s.key, s.pattern])).toEqual([
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
    const refused = await gw.app.inject({
      method: 'PUT',
      url: '/ui/api/queues/scan/pause',
      headers: { authorization: AUTH },
    });
    expect(refused.statusCode).toBe(405);
    expect(refused.headers.allow).toBe('GET, HEAD');
    expect(refused.json().error).toMatch(/read-only.*GET \/api/);
    const page = await gw.app.inject({ url: '/ui/queue/scan', headers: { authorization: AUTH } });
    expect(page.statusCode).toBe(200);
    // The board's header links to the API index.
    expect(page.body).toContain(
      '"miscLinks":[{"text":"Retry, pause, resume: the selfreview API","url":"/api"}]',
    );
    const index = await gw.app.inject({ url: '/api', headers: { authorization: AUTH } });
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
