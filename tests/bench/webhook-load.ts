/**
 * The pure parts of the webhook load benchmark (./webhook-bench.ts): its flags, one signed GitHub
 * `push` delivery, and what the run's facts (autocannon's result, each request's times and
 * answer, what Redis holds afterwards, the gateway's memory and CPU) become in the printed table.
 * Nothing here touches the network, Redis or a process; ./webhook-load.test.ts checks exact values.
 */
import { createHash, createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';

/** Issue 16 item 5: p99 ≤ 50 ms at 200 requests/s for 30 s, no error, every trigger in Redis. */
export const GOAL = { rate: 200, durationS: 30, p99Ms: 50 } as const;

export type Options = {
  /** Requests per second over all connections (autocannon's `overallRate`). */
  rate: number;
  durationS: number;
  connections: number;
  /** When set, the gateway runs with `--cpu-prof` and writes its profile here. */
  cpuProfDir?: string;
};

export const USAGE =
  'usage: node --conditions=source --import tsx tests/bench/webhook-bench.ts [--rate N] [--duration S] [--connections N] [--cpu-prof DIR] [--json FILE]';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The flags; a UsageError (message '' for --help) for anything else. */
export function parseOptions(argv: string[]): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rate: { type: 'string', default: String(GOAL.rate) },
        duration: { type: 'string', default: String(GOAL.durationS) },
        connections: { type: 'string', default: '10' },
        'cpu-prof': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) throw new UsageError('');
  const rate = wholeNumber(values.rate, '--rate', 1, 100_000);
  const durationS = wholeNumber(values.duration, '--duration', 1, 3_600);
  const connections = wholeNumber(values.connections, '--connections', 1, 1_000);
  const cpuProf = values['cpu-prof'];
  if (cpuProf === '') throw new UsageError('--cpu-prof takes a directory');
  return { rate, durationS, connections, ...(typeof cpuProf === 'string' ? { cpuProfDir: cpuProf } : {}) };
}

function wholeNumber(raw: string | boolean | undefined, flag: string, min: number, max: number): number {
  const text = String(raw);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

// ─── One delivery ──────────────────────────────────────────────────────────────────────────────

/** GitHub's `X-Hub-Signature-256`: HMAC-SHA256 of the exact body bytes, hex. */
export function signGitHub(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A made-up but well-formed commit id, distinct for each run and sequence number. */
export function commitSha(runId: string, seq: number): string {
  return createHash('sha1').update(`${runId}:${seq}`).digest('hex');
}

/** The delivery id of request `seq` of a run (GitHub sends a GUID; any unique string does). */
export function deliveryId(runId: string, seq: number): string {
  return `${runId}-${seq}`;
}

export type BenchRepo = { fullName: string; cloneUrl: string; branch: string };

export type Delivery = {
  id: string;
  sha: string;
  body: string;
  headers: Record<string, string>;
};

type PushTemplate = {
  ref?: unknown;
  before?: unknown;
  after?: unknown;
  compare?: unknown;
  commits?: { id?: unknown }[];
  head_commit?: { id?: unknown } | null;
  repository?: Record<string, unknown>;
};

/**
 * Push `seq` of a run: `template` (a GitHub push payload) pointed at `repo`'s branch, its head
 * commit `commitSha(runId, seq)` on top of `commitSha(runId, seq - 1)`, signed with `secret`.
 */
export function pushDelivery(
  template: Readonly<Record<string, unknown>>,
  runId: string,
  seq: number,
  repo: BenchRepo,
  secret: string,
): Delivery {
  const payload = structuredClone(template) as PushTemplate;
  const before = commitSha(runId, seq - 1);
  const after = commitSha(runId, seq);
  payload.ref = `refs/heads/${repo.branch}`;
  payload.before = before;
  payload.after = after;
  payload.compare = `https://github.com/${repo.fullName}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`;
  const commits = payload.commits ?? [];
  const head = commits[commits.length - 1];
  if (head) head.id = after;
  if (payload.head_commit) payload.head_commit.id = after;
  payload.repository = { ...payload.repository, full_name: repo.fullName, clone_url: repo.cloneUrl };
  const body = JSON.stringify(payload);
  const id = deliveryId(runId, seq);
  return {
    id,
    sha: after,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/selfreview-bench',
      'x-github-event': 'push',
      'x-github-delivery': id,
      'x-hub-signature-256': signGitHub(body, secret),
    },
  };
}

// ─── The run's facts ───────────────────────────────────────────────────────────────────────────

/** One request as the benchmark saw it; times in ms on one clock (performance.now()). */
export type RequestRecord = {
  delivery: string;
  sha: string;
  sentAt: number;
  /** Absent: no answer (in flight when the run stopped, or lost to a timeout). */
  answeredAt?: number;
  status?: number;
  /** The gateway's `status` field: `queued`, `duplicate`, `ignored`, or `unreadable`. */
  outcome?: string;
};

/** The fields of autocannon's result that are read. */
export type AutocannonFacts = {
  /** Seconds. */
  duration: number;
  connections: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  resets: number;
};

/** A trigger job for the benchmark's repository left in Redis. */
export type TriggerFact = { id: string; state: string; source: string; after: string };

export type RedisFacts = {
  /** Delivery ids of this run found under `<prefix>:delivery:github:`. */
  deliveryKeys: ReadonlySet<string>;
  triggers: TriggerFact[];
};

export type ResourceFacts = {
  gatewayPeakRssBytes: number;
  gatewayRssBeforeBytes: number;
  gatewayCpuMs: number;
  redisCpuMs: number;
  generatorCpuMs: number;
  /** 1-minute load average when the load started. */
  loadAverage: number;
  cpus: number;
};

export type RunFacts = {
  options: Options;
  autocannon: AutocannonFacts;
  records: RequestRecord[];
  redis: RedisFacts;
  resources: ResourceFacts;
};

export type LatencyStats = { count: number; p50: number; p90: number; p99: number; max: number };

/** Nearest-rank percentiles (the smallest value with at least p% of the values at or below it). */
export function latencyStats(durationsMs: readonly number[]): LatencyStats {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return { count: sorted.length, p50: rank(50), p90: rank(90), p99: rank(99), max: sorted.at(-1) ?? 0 };
}

export function answeredDurations(records: readonly RequestRecord[]): number[] {
  return records.flatMap((r) => (r.answeredAt === undefined ? [] : [r.answeredAt - r.sentAt]));
}

/** `202 queued` and the like, most frequent first (ties by name); `no answer` for unanswered requests. */
export function statusCounts(records: readonly RequestRecord[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = r.status === undefined ? 'no answer' : `${r.status} ${r.outcome ?? ''}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export type TriggerCheck = {
  accepted: number;
  /** Accepted deliveries whose delivery key is not in Redis. */
  missingKeys: number;
  /** Delivery keys of requests that were sent but not answered (in flight at the stop): allowed. */
  unansweredKeys: number;
  /** Delivery keys of ids never sent: a fault. */
  unknownKeys: number;
  /** Pushes to one branch coalesce into one trigger: one expected when anything was accepted. */
  expectedTriggers: number;
  triggers: number;
  /** The trigger left is the newest push's: from a delivery sent, carrying that delivery's commit, and
   * no accepted request was sent after its answer came (so none can have replaced it). */
  newest: boolean;
  /** Commit of the trigger left, short. */
  triggerCommit?: string;
  ok: boolean;
};

export function checkTriggers(records: readonly RequestRecord[], redis: RedisFacts): TriggerCheck {
  const byId = new Map(records.map((r) => [r.delivery, r]));
  const accepted = records.filter((r) => r.status !== undefined && r.status < 300 && r.outcome === 'queued');
  const missingKeys = accepted.filter((r) => !redis.deliveryKeys.has(r.delivery)).length;
  let unansweredKeys = 0;
  let unknownKeys = 0;
  for (const id of redis.deliveryKeys) {
    const record = byId.get(id);
    if (record === undefined) unknownKeys += 1;
    else if (record.answeredAt === undefined) unansweredKeys += 1;
  }
  const expectedTriggers = accepted.length > 0 ? 1 : 0;
  const [trigger] = redis.triggers;
  let newest = expectedTriggers === 0 && redis.triggers.length === 0;
  let triggerCommit: string | undefined;
  if (redis.triggers.length === 1 && trigger) {
    const record = byId.get(trigger.source.replace(/^github:/, ''));
    triggerCommit = trigger.after.slice(0, 7);
    if (record && record.sha === trigger.after) {
      const answeredAt = record.answeredAt;
      newest = answeredAt === undefined || !accepted.some((r) => r.sentAt > answeredAt);
    }
  }
  const ok = missingKeys === 0 && unknownKeys === 0 && redis.triggers.length === expectedTriggers && newest;
  return {
    accepted: accepted.length,
    missingKeys,
    unansweredKeys,
    unknownKeys,
    expectedTriggers,
    triggers: redis.triggers.length,
    newest,
    ...(triggerCommit !== undefined ? { triggerCommit } : {}),
    ok,
  };
}

export type Verdict = { state: 'met' | 'MISSED' | 'not judged'; reasons: string[] };

export function goalVerdict(
  options: Options,
  sentRate: number,
  latency: LatencyStats,
  errors: number,
  notQueued: number,
  triggers: TriggerCheck,
): Verdict {
  if (options.rate < GOAL.rate || options.durationS < GOAL.durationS)
    return {
      state: 'not judged',
      reasons: [`this run was ${options.rate}/s for ${options.durationS} s`],
    };
  const reasons: string[] = [];
  // autocannon sends less than asked when answers come too slowly: the rate was then not tested.
  if (sentRate < GOAL.rate * 0.95) reasons.push(`sent ${fixed(sentRate, 1)}/s < ${GOAL.rate}/s`);
  if (latency.count === 0) reasons.push('no answer');
  else if (latency.p99 > GOAL.p99Ms) reasons.push(`p99 ${fixed(latency.p99, 1)} ms > ${GOAL.p99Ms} ms`);
  if (errors > 0) reasons.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (notQueued > 0) reasons.push(`${notQueued} answered but not queued`);
  if (!triggers.ok) reasons.push('triggers in Redis do not match');
  return { state: reasons.length === 0 ? 'met' : 'MISSED', reasons };
}

export type Summary = { rows: [string, string][]; verdict: Verdict };

/** The table's rows, in order. */
export function summarise(facts: RunFacts): Summary {
  const { options, autocannon: ac, records, redis, resources: res } = facts;
  const sent = records.length;
  const sentRate = ac.duration > 0 ? sent / ac.duration : 0;
  const latency = latencyStats(answeredDurations(records));
  const unanswered = records.filter((r) => r.answeredAt === undefined).length;
  const notQueued = records.filter((r) => r.status !== undefined && r.outcome !== 'queued').length;
  const errors = ac.errors + ac.non2xx + ac.mismatches + ac.resets;
  const triggers = checkTriggers(records, redis);
  const verdict = goalVerdict(options, sentRate, latency, errors, notQueued, triggers);
  const perConnection = options.rate / ac.connections;
  const ms = (v: number) => fixed(v, 1);
  const mb = (bytes: number) => count(Math.round(bytes / 2 ** 20));
  const cpu = (v: number) => fixed(v / 1000, 1);
  const statuses = statusCounts(records)
    .map(([k, n]) => `${k}: ${count(n)}`)
    .join(', ');
  const rows: [string, string][] = [
    [
      'requests sent',
      `${count(sent)} signed \`push\` deliveries, each with its own delivery id and head commit (planned ${count(options.rate * options.durationS)})`,
    ],
    [
      'rate',
      `${count(options.rate)}/s asked, ${fixed(sentRate, 1)}/s sent; ${ac.connections} keep-alive connections, each sending its ${fixed(perConnection, perConnection % 1 === 0 ? 0 : 1)} per second back to back`,
    ],
    ['duration', `${options.durationS} s asked, ${fixed(ac.duration, 1)} s measured`],
    ['status counts', statuses || 'none'],
    [
      'latency p50 / p90 / p99 / max (ms)',
      `${ms(latency.p50)} / ${ms(latency.p90)} / ${ms(latency.p99)} / ${ms(latency.max)} (${count(latency.count)} answers)`,
    ],
    [
      'errors',
      `${errors} (connection errors and timeouts ${ac.errors}, of which timeouts ${ac.timeouts}; non-2xx ${ac.non2xx}; unanswered at the stop ${unanswered})`,
    ],
    ['triggers in Redis vs deliveries accepted', triggerText(triggers)],
    [
      'gateway process peak RSS',
      `${mb(res.gatewayPeakRssBytes)} MB (VmHWM, its peak since it started; ${mb(res.gatewayRssBeforeBytes)} MB just before the load)`,
    ],
    [
      'CPU during the load',
      `gateway ${cpu(res.gatewayCpuMs)} s (${Math.round((res.gatewayCpuMs / (ac.duration * 1000 || 1)) * 100)}% of one core), Redis ${cpu(res.redisCpuMs)} s, load generator ${cpu(res.generatorCpuMs)} s; ${res.cpus} CPUs, load average ${fixed(res.loadAverage, 1)} at the start`,
    ],
    [
      `goal: p99 ≤ ${GOAL.p99Ms} ms at ${GOAL.rate}/s for ${GOAL.durationS} s, no error, every trigger in Redis`,
      verdict.reasons.length === 0 ? verdict.state : `${verdict.state} (${verdict.reasons.join('; ')})`,
    ],
  ];
  return { rows, verdict };
}

function triggerText(t: TriggerCheck): string {
  const keys = `delivery keys for ${count(t.accepted - t.missingKeys)} of ${count(t.accepted)} accepted deliveries`;
  const extra = [
    t.unansweredKeys > 0 ? `${t.unansweredKeys} more of requests in flight at the stop` : '',
    t.unknownKeys > 0 ? `${t.unknownKeys} for ids never sent` : '',
  ].filter(Boolean);
  const jobs = `${t.triggers} trigger job${t.triggers === 1 ? '' : 's'} (${t.expectedTriggers} expected: pushes to one branch coalesce, the newest wins)`;
  const newest =
    t.triggers === 1 ? (t.newest ? `, the newest push's (${t.triggerCommit})` : ', not the newest push') : '';
  return `${keys}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}; ${jobs}${newest}`;
}

export function renderTable(rows: readonly [string, string][]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`)].join('\n');
}

function fixed(v: number, digits: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
