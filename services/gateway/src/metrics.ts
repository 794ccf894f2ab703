/**
 * `/metrics` in the Prometheus text format, computed from Redis at each scrape: queue depths by
 * state, how long the last completed jobs of each stage took, and what recent runs found,
 * decided and fixed. A fresh registry per scrape, so the numbers are exactly what Redis says
 * now and nothing accumulates in the gateway (several gateways report the same values).
 */
import { ALL_QUEUES } from '@selfreview/shared/queues';
import type { Redis } from '@selfreview/shared/redis';
import type { RunStore } from '@selfreview/shared/runs';
import type { Queue } from 'bullmq';
import { Gauge, Registry, Summary } from 'prom-client';
import { type GatewayQueues, JOB_STATES, jobCounts } from './queues.ts';

export type MetricsDeps = { queues: GatewayQueues; runs: RunStore; redis: Redis; prefix: string };

/** Durations come from this many of each queue's newest completed jobs. */
const DURATION_SAMPLE = 100;
/** Findings, decisions and fixes are summed over this many newest runs. */
const RUN_SAMPLE = 50;

export async function collectMetrics(deps: MetricsDeps): Promise<string> {
  const registry = new Registry();
  const registers = [registry];

  const queueJobs = new Gauge({
    name: 'selfreview_queue_jobs',
    help: 'Jobs in each queue, by state.',
    labelNames: ['queue', 'state'] as const,
    registers,
  });
  const durations = new Summary({
    name: 'selfreview_job_duration_seconds',
    help: `Processing time (finishedOn - processedOn) of the last ${DURATION_SAMPLE} completed jobs of each queue.`,
    labelNames: ['queue'] as const,
    percentiles: [0.5, 0.9, 0.99],
    registers,
  });
  const recentRuns = new Gauge({
    name: 'selfreview_recent_runs',
    help: `Runs the candidate, decision and fix counts cover (at most ${RUN_SAMPLE}, newest).`,
    registers,
  });
  const candidates = new Gauge({
    name: 'selfreview_candidates',
    help: `Candidates found in the last ${RUN_SAMPLE} runs, by rule.`,
    labelNames: ['rule'] as const,
    registers,
  });
  const decisions = new Gauge({
    name: 'selfreview_decisions',
    help: `Apply decisions in the last ${RUN_SAMPLE} runs, by verdict and reason.`,
    labelNames: ['verdict', 'reason'] as const,
    registers,
  });
  const fixes = new Gauge({
    name: 'selfreview_fixes',
    help: `Fix results in the last ${RUN_SAMPLE} runs, by status.`,
    labelNames: ['status'] as const,
    registers,
  });

  const perQueue = await Promise.all(
    ALL_QUEUES.map(async (name) => {
      const queue = deps.queues[name] as Queue;
      const [counts, seconds] = await Promise.all([jobCounts(queue), completedDurations(deps.redis, queue)]);
      return { name, counts, seconds };
    }),
  );
  // Set in catalog order, so the text is stable from one scrape to the next.
  for (const { name, counts, seconds } of perQueue) {
    for (const state of JOB_STATES) queueJobs.set({ queue: name, state }, counts[state]);
    for (const s of seconds) durations.observe({ queue: name }, s);
  }

  const runIds = await deps.runs.recentRuns(RUN_SAMPLE);
  recentRuns.set(runIds.length);
  const perRun = await Promise.all(
    runIds.map((id) =>
      Promise.all([deps.runs.candidates(id), deps.runs.decisions(id), deps.runs.fixResults(id)]),
    ),
  );
  for (const [runCandidates, runDecisions, runFixes] of perRun) {
    for (const c of runCandidates) candidates.inc({ rule: c.rule });
    for (const d of runDecisions) decisions.inc({ verdict: d.verdict, reason: d.reason });
    for (const f of runFixes) fixes.inc({ status: f.status });
  }

  return registry.metrics();
}

/**
 * Seconds each of the newest completed jobs took, read from the job hashes' two timestamps
 * only: loading whole jobs would load their payloads (fix batches carry code) at every scrape.
 */
async function completedDurations(redis: Redis, queue: Queue): Promise<number[]> {
  const ids = await queue.getRanges(['completed'], 0, DURATION_SAMPLE - 1, false);
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hmget(queue.toKey(id), 'processedOn', 'finishedOn');
  const replies = (await pipeline.exec()) ?? [];
  const seconds: number[] = [];
  for (const [err, value] of replies) {
    if (err) continue;
    const [processedOn, finishedOn] = (value as (string | null)[]).map(Number);
    if (processedOn === undefined || finishedOn === undefined) continue;
    if (!(processedOn > 0) || !(finishedOn >= processedOn)) continue;
    seconds.push((finishedOn - processedOn) / 1000);
  }
  return seconds;
}
