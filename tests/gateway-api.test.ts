/**
 * The gateway's operator API and metrics through `app.inject()` on a real Redis: basic auth,
 * queue depths, failed jobs re-queued one by one and all at once, pause and resume (resume
 * queues a catch-up scan), runs and their reports, findings and fixes by repository, the
 * Prometheus text, and no state change from another site even with valid credentials.
 */
import { buildGateway, type GatewayQueues } from '@selfreview/gateway/app';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { RepoPauses } from '@selfreview/shared/pauses';
import { ALL_QUEUES, type ApplyJob, type ScanJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { Candidate, Decision, FixResult } from '@selfreview/shared/schemas';
import { parseServerConfig } from '@selfreview/shared/server-config';
import { createQueue } from '@selfreview/shared/worker';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decision, fixResult, runMeta, unusedImport } from './helpers/factories.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const SHA = 'a'.repeat(40);
const AUTH = `Basic ${Buffer.from('ops:pw-123456').toString('base64')}`;
const SERVER_YAML = [
  'repositories:',
  '  - name: web',
  '    path: /tmp/web',
  '    branch: main',
  '    schedule: "0 3 * * *"',
  '',
].join('\n');

type App = Awaited<ReturnType<typeof buildGateway>>;

let redis: Redis;
let prefix: string;
let queues: GatewayQueues;
let runs: RunStore;
let pauses: RepoPauses;
let app: App;

beforeEach(async () => {
  prefix = uniquePrefix('gwapi');
  redis = connect('producer');
  queues = Object.fromEntries(ALL_QUEUES.map((q) => [q, createQueue(q, redis, prefix)])) as GatewayQueues;
  runs = new RunStore(redis, prefix);
  pauses = new RepoPauses(redis, prefix);
  app = await buildGateway({
    redis,
    prefix,
    queues,
    runs,
    pauses,
    serverConfig: parseServerConfig(SERVER_YAML, 'selfreview.server.yaml'),
    env: {},
    credentials: { user: 'ops', password: 'pw-123456' },
    log: pino({ level: 'silent' }),
  });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  for (const q of Object.values(queues)) await q.close();
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

const get = (url: string, headers: Record<string, string> = { authorization: AUTH }) =>
  app.inject({ method: 'GET', url, headers });
const post = (url: string, headers: Record<string, string> = { authorization: AUTH }) =>
  app.inject({ method: 'POST', url, headers });

function scanJob(runId: string): ScanJob {
  return { runId, repo: { path: '/tmp/web', name: 'web' }, baseBranch: 'main', baseSha: SHA, mode: 'full' };
}

function applyJob(file: string, name: string): ApplyJob {
  const repo = { path: '/tmp/web', name: 'web' };
  return {
    runId: 'run-1',
    repo,
    baseBranch: 'main',
    baseSha: SHA,
    files: [{ file, candidates: [unusedImport(file, name)] }],
  };
}

/** Takes the next job of the queue as a worker would, and ends it: failed for good, or completed. */
async function takeAndFinish(queue: 'scan' | 'apply', outcome: 'fail' | 'complete'): Promise<Job> {
  const connection = connect('worker');
  const worker = new Worker(queue, null, { connection, prefix });
  try {
    const job = (await worker.getNextJob('token-1')) as Job;
    expect(job).toBeTruthy();
    if (outcome === 'fail') await job.moveToFailed(new UnrecoverableError('boom'), 'token-1');
    else await job.moveToCompleted({ ok: true }, 'token-1', false);
    return job;
  } finally {
    await worker.close();
    await connection.quit();
  }
}

async function createRun(runId: string, repoName: string, startedAt: string): Promise<Candidate[]> {
  await runs.create(runMeta(runId, { repoPath: `/tmp/${repoName}`, baseSha: SHA, startedAt }));
  await runs.setMeta(runId, { repoName, trigger: 'manual', source: 'test' });
  const cs = [unusedImport('src/b.ts', 'y'), unusedImport('src/a.ts', 'x')];
  await runs.putCandidates(runId, cs, 7);
  await runs.putDecisions(runId, [
    decision(cs[0] as Candidate, 'drop', 'side_effect'),
    decision(cs[1] as Candidate, 'fix', 'unused_import'),
  ]);
  await runs.putFixResults(runId, [
    fixResult(`${runId}-b1`, 'src/a.ts', 'committed', { candidateIds: [(cs[1] as Candidate).id] }),
  ]);
  // Distinct index scores, so "newest first" is well defined.
  await new Promise((r) => setTimeout(r, 5));
  return cs;
}

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
    expect(await pauses.list()).toEqual([]);
  });

  it('refuses a cross-site POST even with valid credentials', async () => {
    const res = await post('/api/repositories/web/pause', {
      authorization: AUTH,
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatch(/cross-site/);
    expect(await pauses.list()).toEqual([]);
    // The same request from the dashboard itself goes through.
    const same = await post('/api/repositories/web/pause', {
      authorization: AUTH,
      'sec-fetch-site': 'same-origin',
    });
    expect(same.statusCode).toBe(200);
    expect(await pauses.list()).toEqual(['web']);
  });
});

describe('gateway API: queues', () => {
  it('counts the jobs of every queue by state', async () => {
    await queues.apply.add('a1', applyJob('src/a.ts', 'x'));
    await queues.apply.add('a2', applyJob('src/b.ts', 'y'));
    await queues.scan.add('full-scan', scanJob('run-2'), { delay: 60_000 });
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
      const job = await queues.scan.add('full-scan', scanJob(runId), { jobId: `${runId}-scan` });
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
    expect(await queues.scan.getJobState(ids[0] as string)).toBe('waiting');
    // No longer failed: a second retry is a conflict, an unknown job is 404.
    const again = await post(`/api/queues/scan/jobs/${ids[0]}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatch(/not failed/);
    expect((await post('/api/queues/scan/jobs/no-such-job/retry')).statusCode).toBe(404);

    const all = await post('/api/queues/scan/retry-failed');
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({ queue: 'scan', retried: 2 });
    expect(await queues.scan.getFailedCount()).toBe(0);
    expect(await queues.scan.getWaitingCount()).toBe(3);
    expect((await post('/api/queues/scan/retry-failed')).json()).toEqual({ queue: 'scan', retried: 0 });
  });

  it("lists a failed apply job with its files' paths, not their candidates", async () => {
    const job = applyJob('src/a.ts', 'x');
    job.files.push({ file: 'src/b.ts', candidates: [unusedImport('src/b.ts', 'y')] });
    await queues.apply.add('apply-files', job, { jobId: 'run-1-apply-g1' });
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

describe('gateway API: repositories', () => {
  it('lists the configured repositories, pauses and resumes them; resume queues a catch-up scan', async () => {
    const list = async () => (await get('/api/repositories')).json();
    expect(await list()).toEqual({
      repositories: [{ name: 'web', branch: 'main', schedule: '0 3 * * *', paused: false }],
    });

    const paused = await post('/api/repositories/web/pause');
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toEqual({ name: 'web', paused: true });
    expect(await pauses.isPaused('web')).toBe(true);
    expect((await list()).repositories[0].paused).toBe(true);
    // A paused repository starts no run: a manual scan would be skipped, so it is refused.
    const refused = await post('/api/repositories/web/scan');
    expect(refused.statusCode).toBe(409);
    expect(await queues.trigger.getWaitingCount()).toBe(0);

    const resumed = await post('/api/repositories/web/resume');
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ name: 'web', paused: false });
    expect(await pauses.isPaused('web')).toBe(false);
    const [trigger] = await queues.trigger.getWaiting();
    expect(trigger?.name).toBe('manual');
    expect(trigger?.data).toEqual({
      kind: 'manual',
      repo: { name: 'web', path: '/tmp/web', branch: 'main' },
      source: 'resume',
    });
  });

  it('queues a manual full scan with 202', async () => {
    const res = await post('/api/repositories/web/scan');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ name: 'web', status: 'queued' });
    const waiting = await queues.trigger.getWaiting();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.data).toMatchObject({ kind: 'manual', repo: { name: 'web' } });
  });

  it('answers 404 for an unknown repository, 400 for a malformed name or a body', async () => {
    for (const url of [
      '/api/repositories/api/pause',
      '/api/repositories/api/resume',
      '/api/repositories/api/scan',
    ]) {
      const res = await post(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatch(/no repository "api"/);
    }
    expect((await get('/api/repositories/api/findings')).statusCode).toBe(404);
    expect((await get('/api/repositories/api/fixes')).statusCode).toBe(404);
    expect(await pauses.list()).toEqual([]);

    const badName = await post('/api/repositories/we%20b!/pause');
    expect(badName.statusCode).toBe(400);
    expect(badName.json().error).toMatch(/name/);
    const withBody = await app.inject({
      method: 'POST',
      url: '/api/repositories/web/pause',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      payload: JSON.stringify({ force: true }),
    });
    expect(withBody.statusCode).toBe(400);
    expect(withBody.json().error).toMatch(/force/);
    const xml = await app.inject({
      method: 'POST',
      url: '/api/repositories/web/pause',
      headers: { authorization: AUTH, 'content-type': 'application/xml' },
      payload: '<pause/>',
    });
    expect(xml.statusCode).toBe(415);
    const emptyJson = await app.inject({
      method: 'POST',
      url: '/api/repositories/web/pause',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(emptyJson.statusCode).toBe(200);
  });
});

describe('gateway API: runs, findings, fixes', () => {
  it('lists recent runs newest first and builds their reports, in progress or done', async () => {
    await createRun('20260101-000000-aaaaaa', 'web', '2026-01-01T00:00:00.000Z');
    await createRun('20260102-000000-bbbbbb', 'other', '2026-01-02T00:00:00.000Z');
    await new RunLifecycle(redis, prefix).openJobs('20260102-000000-bbbbbb', 'fix', ['batch-9']);

    const res = await get('/api/runs');
    expect(res.statusCode).toBe(200);
    const list = res.json().runs as Record<string, unknown>[];
    expect(list.map((r) => r.runId)).toEqual(['20260102-000000-bbbbbb', '20260101-000000-aaaaaa']);
    expect(list[1]).toEqual({
      runId: '20260101-000000-aaaaaa',
      repoName: 'web',
      repoPath: '/tmp/web',
      baseBranch: 'main',
      baseSha: SHA,
      startedAt: '2026-01-01T00:00:00.000Z',
      trigger: 'manual',
      done: true,
      stages: {
        scan: { open: 0, files: 7, candidates: 2 },
        apply: { open: 0, decisions: 2 },
        fix: { open: 0, batches: 0, results: 1 },
      },
    });
    expect(list[0]).toMatchObject({ repoName: 'other', done: false, stages: { fix: { open: 1 } } });
    expect((await get('/api/runs?limit=1')).json().runs).toHaveLength(1);

    const report = await get('/api/runs/20260101-000000-aaaaaa/report');
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({
      runId: '20260101-000000-aaaaaa',
      repo: { path: '/tmp/web', baseBranch: 'main', baseSha: SHA },
      stages: {
        scan: { files: 7, candidates: 2 },
        apply: { fix: 1, drop: 1, defer: 0 },
        fix: { committed: 1 },
      },
    });
    expect(report.json().candidates.map((c: { file: string }) => c.file)).toEqual(['src/a.ts', 'src/b.ts']);

    // Still in progress: the report so far, finished "now".
    const before = Date.now();
    const partial = await get('/api/runs/20260102-000000-bbbbbb/report');
    expect(partial.statusCode).toBe(200);
    expect(Date.parse(partial.json().finishedAt)).toBeGreaterThanOrEqual(before - 1000);

    expect((await get('/api/runs/20990101-000000-ffffff/report')).statusCode).toBe(404);
    const bad = await get('/api/runs/not%20a%20run/report');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/runId/);
  });

  it("gives one repository's findings and fixes, newest run first", async () => {
    await createRun('20260101-000000-aaaaaa', 'web', '2026-01-01T00:00:00.000Z');
    await createRun('20260102-000000-bbbbbb', 'other', '2026-01-02T00:00:00.000Z');
    await createRun('20260103-000000-cccccc', 'web', '2026-01-03T00:00:00.000Z');

    const findings = await get('/api/repositories/web/findings');
    expect(findings.statusCode).toBe(200);
    const body = findings.json() as {
      name: string;
      runs: { runId: string; candidates: Record<string, unknown>[]; decisions: Decision[] }[];
    };
    expect(body.name).toBe('web');
    expect(body.runs.map((r) => r.runId)).toEqual(['20260103-000000-cccccc', '20260101-000000-aaaaaa']);
    const newest = body.runs[0];
    expect(newest?.candidates.map((c) => c.file)).toEqual(['src/a.ts', 'src/b.ts']);
    expect(newest?.candidates[0]).not.toHaveProperty('evidence');
    expect(newest?.decisions.map((d) => d.verdict).sort()).toEqual(['drop', 'fix']);
    expect((await get('/api/repositories/web/findings?runs=1')).json().runs).toHaveLength(1);
    expect((await get('/api/repositories/web/findings?runs=0')).statusCode).toBe(400);

    const fixes = await get('/api/repositories/web/fixes');
    expect(fixes.statusCode).toBe(200);
    const fixRuns = fixes.json().runs as { runId: string; fixes: FixResult[] }[];
    expect(fixRuns.map((r) => r.runId)).toEqual(['20260103-000000-cccccc', '20260101-000000-aaaaaa']);
    expect(fixRuns[0]?.fixes).toEqual([
      fixResult('20260103-000000-cccccc-b1', 'src/a.ts', 'committed', {
        candidateIds: ['unused-import:src/a.ts:x'],
      }),
    ]);
  });
});

describe('gateway metrics', () => {
  it('exposes queue depths, job durations and what recent runs found, decided and fixed', async () => {
    await queues.apply.add('a1', applyJob('src/a.ts', 'x'));
    await queues.apply.add('a2', applyJob('src/b.ts', 'y'));
    await queues.apply.add('a3', applyJob('src/c.ts', 'z'));
    await takeAndFinish('apply', 'complete');
    await queues.scan.add('full-scan', scanJob('run-2'));
    await takeAndFinish('scan', 'fail');
    await createRun('20260101-000000-aaaaaa', 'web', '2026-01-01T00:00:00.000Z');

    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    for (const name of [
      'selfreview_queue_jobs',
      'selfreview_job_duration_seconds',
      'selfreview_candidates',
      'selfreview_decisions',
      'selfreview_fixes',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('selfreview_queue_jobs{queue="apply",state="waiting"} 2');
    expect(text).toContain('selfreview_queue_jobs{queue="apply",state="completed"} 1');
    expect(text).toContain('selfreview_queue_jobs{queue="scan",state="failed"} 1');
    expect(text).toContain('selfreview_queue_jobs{queue="trigger",state="waiting"} 0');
    expect(text).toMatch(/^selfreview_job_duration_seconds\{quantile="0\.5",queue="apply"\} \d/m);
    expect(text).toMatch(/^selfreview_job_duration_seconds\{quantile="0\.99",queue="apply"\} \d/m);
    expect(text).toContain('selfreview_job_duration_seconds_count{queue="apply"} 1');
    expect(text).toContain('selfreview_candidates{rule="unused-import"} 2');
    expect(text).toContain('selfreview_decisions{verdict="fix",reason="unused_import"} 1');
    expect(text).toContain('selfreview_decisions{verdict="drop",reason="side_effect"} 1');
    expect(text).toContain('selfreview_fixes{status="committed"} 1');

    // The depth follows the queue.
    await queues.apply.add('a4', applyJob('src/d.ts', 'w'));
    expect((await get('/metrics')).body).toContain('selfreview_queue_jobs{queue="apply",state="waiting"} 3');
  });
});
