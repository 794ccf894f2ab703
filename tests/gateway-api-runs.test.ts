/**
 * What the gateway tells about runs: recent runs and their reports (in progress or done), one
 * repository's findings and fixes, and the Prometheus metrics (queue depths, job durations, what
 * recent runs found, decided and fixed).
 */
import { RunLifecycle } from '@selfreview/shared/coordinator';
import type { Decision, FixResult } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { BASE_SHA, fixResult } from './helpers/factories.ts';
import { apiGatewayTestBed } from './helpers/gateway.ts';

const gw = apiGatewayTestBed();
const { get, scanJob, applyJob, takeAndFinish, createRun } = gw;

describe('gateway API: runs, findings, fixes', () => {
  it('lists recent runs newest first and builds their reports, in progress or done', async () => {
    await createRun('20260101-000000-aaaaaa', 'web', '2026-01-01T00:00:00.000Z');
    await createRun('20260102-000000-bbbbbb', 'other', '2026-01-02T00:00:00.000Z');
    await new RunLifecycle(gw.redis, gw.prefix).openJobs('20260102-000000-bbbbbb', 'fix', ['batch-9']);

    const res = await get('/api/runs');
    expect(res.statusCode).toBe(200);
    const list = res.json().runs as Record<string, unknown>[];
    expect(list.map((r) => r.runId)).toEqual(['20260102-000000-bbbbbb', '20260101-000000-aaaaaa']);
    expect(list[1]).toEqual({
      runId: '20260101-000000-aaaaaa',
      repoName: 'web',
      repoPath: '/tmp/web',
      baseBranch: 'main',
      baseSha: BASE_SHA,
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
      repo: { path: '/tmp/web', baseBranch: 'main', baseSha: BASE_SHA },
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
    await gw.queues.apply.add('a1', applyJob('src/a.ts', 'x'));
    await gw.queues.apply.add('a2', applyJob('src/b.ts', 'y'));
    await gw.queues.apply.add('a3', applyJob('src/c.ts', 'z'));
    await takeAndFinish('apply', 'complete');
    await gw.queues.scan.add('full-scan', scanJob('run-2'));
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
    await gw.queues.apply.add('a4', applyJob('src/d.ts', 'w'));
    expect((await get('/metrics')).body).toContain('selfreview_queue_jobs{queue="apply",state="waiting"} 3');
  });
});
