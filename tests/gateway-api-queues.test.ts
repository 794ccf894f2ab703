/**
 * The gateway's operator API: basic auth on the API and the metrics, no state change
 * from another site even with valid credentials, and the queues: depths by state, failed jobs
 * listed by reference only and re-queued one by one and all at once, bad queues and limits.
 */
import { ALL_QUEUES } from '@selfreview/shared/queues';
import { describe, expect, it } from 'vitest';
import { unusedImport } from './helpers/factories.ts';
import { AUTH, apiGatewayTestBed } from './helpers/gateway.ts';

const gw = apiGatewayTestBed();
const { get, post, scanJob, applyJob, takeAndFinish } = gw;

describe('gateway API: authentication', () => {
  it('answers 401 without credentials or with wrong ones, for the API and the metrics', async () => {
    for (const url of ['/api/queues', '/api/runs', '/metrics']) {
      const none = await get(url, {});
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Basic realm="selfreview"/);
      const wrongPassword = `Basic ${Buffer.from('ops:pw-wrong').toString('base64')}`;
      expect((await get(url, { authorization: wrongPassword })).statusCode).toBe(401);
      const wrongUser = `Basic ${Buffer.from('root:pw-123456').toString('base64')}`;
      expect((await get(url, { authorization: wrongUser })).statusCode).toBe(401);
    }
    expect((await post('/api/repositories/web/pause', {})).statusCode).toBe(401);
    expect(await gw.pauses.list()).toEqual([]);
  });

  it('refuses a cross-site POST even with valid credentials', async () => {
    const res = await post('/api/repositories/web/pause', {
      authorization: AUTH,
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatch(/cross-site/);
    expect(await gw.pauses.list()).toEqual([]);
    // The same request from the dashboard itself goes through.
    const same = await post('/api/repositories/web/pause', {
      authorization: AUTH,
      'sec-fetch-site': 'same-origin',
    });
    expect(same.statusCode).toBe(200);
    expect(await gw.pauses.list()).toEqual(['web']);
  });
});

describe('gateway API: queues', () => {
  it('counts the jobs of every queue by state', async () => {
    await gw.queues.apply.add('a1', applyJob('src/a.ts', 'x'));
    await gw.queues.apply.add('a2', applyJob('src/b.ts', 'y'));
    await gw.queues.scan.add('full-scan', scanJob('run-2'), { delay: 60_000 });
    const res = await get('/api/queues');
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      queues: { name: string; paused: boolean; counts: Record<string, number> }[];
    };
    expect(body.queues.map((q) => q.name)).toEqual([...ALL_QUEUES]);
    const byName = new Map(body.queues.map((q) => [q.name, q]));
    expect(byName.get('apply')?.counts).toEqual({
      waiting: 2,
      active: 0,
      delayed: 0,
      prioritized: 0,
      paused: 0,
      completed: 0,
      failed: 0,
    });
    expect(byName.get('scan')?.counts.delayed).toBe(1);
    expect(byName.get('fix')?.counts.waiting).toBe(0);
    expect(byName.get('fix')?.paused).toBe(false);
  });

  it('lists failed jobs with references only, and re-queues them one by one and all at once', async () => {
    const ids: string[] = [];
    for (const runId of ['run-f1', 'run-f2', 'run-f3']) {
      const job = await gw.queues.scan.add('full-scan', scanJob(runId), { jobId: `${runId}-scan` });
      ids.push(job.id as string);
      await takeAndFinish('scan', 'fail');
    }
    const failed = await get('/api/queues/scan/failed?limit=2');
    expect(failed.statusCode).toBe(200);
    const body = failed.json() as { total: number; jobs: Record<string, unknown>[] };
    expect(body.total).toBe(3);
    expect(body.jobs).toHaveLength(2);
    const first = body.jobs[0] as Record<string, unknown>;
    expect(first).toMatchObject({ name: 'full-scan', failedReason: 'boom', attemptsMade: 1 });
    expect(typeof first.finishedOn).toBe('number');
    // Only the references: no base commit, no mode, nothing else of the payload.
    expect(Object.keys(first.data as object).sort()).toEqual(['repo', 'runId']);
    expect((first.data as { repo: unknown }).repo).toEqual({ name: 'web', path: '/tmp/web' });

    const one = await post(`/api/queues/scan/jobs/${ids[0]}/retry`);
    expect(one.statusCode).toBe(200);
    expect(await gw.queues.scan.getJobState(ids[0] as string)).toBe('waiting');
    // No longer failed: a second retry is a conflict, an unknown job is 404.
    const again = await post(`/api/queues/scan/jobs/${ids[0]}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatch(/not failed/);
    expect((await post('/api/queues/scan/jobs/no-such-job/retry')).statusCode).toBe(404);

    const all = await post('/api/queues/scan/retry-failed');
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({ queue: 'scan', retried: 2 });
    expect(await gw.queues.scan.getFailedCount()).toBe(0);
    expect(await gw.queues.scan.getWaitingCount()).toBe(3);
    expect((await post('/api/queues/scan/retry-failed')).json()).toEqual({ queue: 'scan', retried: 0 });
  });

  it("lists a failed apply job with its files' paths, not their candidates", async () => {
    const job = applyJob('src/a.ts', 'x');
    job.files.push({ file: 'src/b.ts', candidates: [unusedImport('src/b.ts', 'y')] });
    await gw.queues.apply.add('apply-files', job, { jobId: 'run-1-apply-g1' });
    await takeAndFinish('apply', 'fail');
    const body = (await get('/api/queues/apply/failed')).json() as { jobs: Record<string, unknown>[] };
    expect(body.jobs.map((j) => j.data)).toEqual([
      { runId: 'run-1', files: ['src/a.ts', 'src/b.ts'], repo: { name: 'web', path: '/tmp/web' } },
    ]);
  });

  it('answers 404 for an unknown queue and 400 naming the field for a bad limit', async () => {
    const unknown = await get('/api/queues/nope/failed');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatch(/no queue "nope"/);
    expect((await post('/api/queues/nope/retry-failed')).statusCode).toBe(404);
    expect((await post('/api/queues/nope/jobs/1/retry')).statusCode).toBe(404);
    for (const limit of ['0', 'abc', '201', '1.5']) {
      const bad = await get(`/api/queues/scan/failed?limit=${limit}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatch(/limit/);
    }
    const typo = await get('/api/runs?limt=5');
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error).toMatch(/limt/);
  });
});
