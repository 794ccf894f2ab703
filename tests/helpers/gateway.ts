/**
 * A gateway under test through `app.inject()`, on the test Redis with real BullMQ queues, for
 * the gateway's API and security tests. Two beds, because the two sets of tests need different
 * lifetimes: the API tests build a fresh gateway on a fresh prefix for each test, the security
 * tests share one gateway per file (four repositories with webhook secrets, the log captured)
 * and empty its queues, audit log and pauses before each test.
 */
import { buildGateway, type GatewayQueues } from '@selfreview/gateway/app';
import { FindingMemory } from '@selfreview/shared/memory';
import { RepoPauses } from '@selfreview/shared/pauses';
import { ProposalIndex } from '@selfreview/shared/proposals';
import { ALL_QUEUES, type ApplyJob, type ScanJob } from '@selfreview/shared/queues';
import type { Redis } from '@selfreview/shared/redis';
import { RunStore } from '@selfreview/shared/runs';
import type { Candidate } from '@selfreview/shared/schemas';
import { parseServerConfig } from '@selfreview/shared/server-config';
import { createQueue } from '@selfreview/shared/worker';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { BASE_SHA, decision, fixResult, runMeta, unusedImport } from './factories.ts';
import { cleanPrefix, connect, uniquePrefix } from './redis.ts';

const CREDENTIALS = { user: 'ops', password: 'pw-123456' };
export const AUTH = `Basic ${Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`).toString('base64')}`;

type App = Awaited<ReturnType<typeof buildGateway>>;

function gatewayQueues(redis: Redis, prefix: string): GatewayQueues {
  return Object.fromEntries(ALL_QUEUES.map((q) => [q, createQueue(q, redis, prefix)])) as GatewayQueues;
}

async function closeGateway(app: App, queues: GatewayQueues, redis: Redis, prefix: string): Promise<void> {
  await app.close();
  for (const q of Object.values(queues)) await q.close();
  await cleanPrefix(redis, prefix);
  await redis.quit();
}

function scanJob(runId: string, repoPath: string): ScanJob {
  return {
    runId,
    repo: { path: repoPath, name: 'web' },
    baseBranch: 'main',
    baseSha: BASE_SHA,
    mode: 'full',
  };
}

/** Takes the next job of the queue as a worker would, and ends it: failed for good, or completed. */
async function takeAndFinish(
  queue: 'scan' | 'apply',
  prefix: string,
  outcome: 'fail' | 'complete',
): Promise<Job> {
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

/** The webhook secrets of the security bed's repositories, by variable name. */
export const SECRETS = { WEB_SECRET: 'web-hook-secret', API_SECRET: 'api-hook-secret' };
export const TOKENS = { LAB_TOKEN: 'lab-hook-token', LAB2_TOKEN: 'lab2-hook-token' };
const SECURITY_YAML = [
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

export type AuditEntry = {
  at: string;
  user: string;
  address: string;
  action: string;
  target: string;
  status: number;
};

/**
 * One gateway for the calling file's tests, built in beforeAll and closed in afterAll; before
 * each test its queues are emptied and its audit log, pauses and captured log lines cleared.
 * `app` and `queues` are there once beforeAll has run.
 */
export function securityGatewayTestBed() {
  const serverConfig = parseServerConfig(SECURITY_YAML, 'selfreview.server.yaml');
  const prefix = uniquePrefix('gwsec');
  const redis = connect('producer');
  const proposals = new ProposalIndex(redis, prefix);
  const memory = new FindingMemory(redis, prefix);
  /** Every line the gateway logs, parsed: the audit's second copy is read from here. */
  const logLines: Record<string, unknown>[] = [];
  let queues: GatewayQueues;
  let app: App;

  beforeAll(async () => {
    queues = gatewayQueues(redis, prefix);
    app = await buildGateway({
      redis,
      prefix,
      queues,
      runs: new RunStore(redis, prefix),
      pauses: new RepoPauses(redis, prefix),
      serverConfig,
      env: { ...SECRETS, ...TOKENS },
      credentials: CREDENTIALS,
      log: pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) }),
      coalesceMs: 60_000,
      proposals,
      memory,
    });
    await app.ready();
  });
  afterAll(() => closeGateway(app, queues, redis, prefix));
  beforeEach(async () => {
    for (const q of Object.values(queues)) await q.obliterate({ force: true });
    await redis.del(`${prefix}:audit`, `${prefix}:paused`);
    logLines.length = 0;
  });

  const webScan = (runId: string): ScanJob => scanJob(runId, '/srv/web');
  /** Adds a scan job and fails it as a worker would. */
  const failedScanJob = async (runId: string): Promise<Job> => {
    const job = await queues.scan.add('full-scan', webScan(runId), { jobId: `${runId}-scan` });
    const taken = await takeAndFinish('scan', prefix, 'fail');
    expect(taken.id).toBe(job.id);
    return job;
  };
  const auditEntries = async (): Promise<AuditEntry[]> => {
    const res = await app.inject({ url: '/api/audit', headers: { authorization: AUTH } });
    expect(res.statusCode).toBe(200);
    return (res.json() as { entries: AuditEntry[] }).entries;
  };

  return {
    serverConfig,
    prefix,
    redis,
    proposals,
    memory,
    logLines,
    scanJob: webScan,
    failedScanJob,
    auditEntries,
    get queues() {
      return queues;
    },
    get app() {
      return app;
    },
  };
}

const API_YAML = [
  'repositories:',
  '  - name: web',
  '    path: /tmp/web',
  '    branch: main',
  '    schedule: "0 3 * * *"',
  '',
].join('\n');

/**
 * A fresh gateway on a fresh prefix for each of the calling file's tests (one repository, web,
 * at /tmp/web), closed and its keys removed after it: its fields are new in each test.
 */
export function apiGatewayTestBed() {
  let redis: Redis;
  let prefix: string;
  let queues: GatewayQueues;
  let runs: RunStore;
  let pauses: RepoPauses;
  let app: App;

  beforeEach(async () => {
    prefix = uniquePrefix('gwapi');
    redis = connect('producer');
    queues = gatewayQueues(redis, prefix);
    runs = new RunStore(redis, prefix);
    pauses = new RepoPauses(redis, prefix);
    app = await buildGateway({
      redis,
      prefix,
      queues,
      runs,
      pauses,
      serverConfig: parseServerConfig(API_YAML, 'selfreview.server.yaml'),
      env: {},
      credentials: CREDENTIALS,
      log: pino({ level: 'silent' }),
    });
    await app.ready();
  });
  afterEach(() => closeGateway(app, queues, redis, prefix));

  const get = (url: string, headers: Record<string, string> = { authorization: AUTH }) =>
    app.inject({ method: 'GET', url, headers });
  const post = (url: string, headers: Record<string, string> = { authorization: AUTH }) =>
    app.inject({ method: 'POST', url, headers });
  const applyJob = (file: string, name: string): ApplyJob => ({
    runId: 'run-1',
    repo: { path: '/tmp/web', name: 'web' },
    baseBranch: 'main',
    baseSha: BASE_SHA,
    files: [{ file, candidates: [unusedImport(file, name)] }],
  });
  /** A run of `repoName` with two candidates, one dropped and one fixed and committed. */
  const createRun = async (runId: string, repoName: string, startedAt: string): Promise<Candidate[]> => {
    await runs.create(runMeta(runId, { repoPath: `/tmp/${repoName}`, baseSha: BASE_SHA, startedAt }));
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
  };

  return {
    get,
    post,
    scanJob: (runId: string): ScanJob => scanJob(runId, '/tmp/web'),
    applyJob,
    takeAndFinish: (queue: 'scan' | 'apply', outcome: 'fail' | 'complete'): Promise<Job> =>
      takeAndFinish(queue, prefix, outcome),
    createRun,
    get redis() {
      return redis;
    },
    get prefix() {
      return prefix;
    },
    get queues() {
      return queues;
    },
    get pauses() {
      return pauses;
    },
    get app() {
      return app;
    },
  };
}
