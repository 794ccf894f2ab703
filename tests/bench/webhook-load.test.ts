/**
 * The webhook benchmark's pure parts (./webhook-load.ts), on exact values: its flags, a signed
 * delivery (read back by the gateway's own signature check and push parser), and the table rows
 * and verdict a run's facts become. The benchmark itself (./webhook-bench.ts) is not a test.
 */
import { parseGitHubPush, verifyGitHubSignature } from '@selfreview/gateway/webhooks';
import { describe, expect, it } from 'vitest';
import {
  checkTriggers,
  commitSha,
  latencyStats,
  parseOptions,
  pushDelivery,
  type RequestRecord,
  type RunFacts,
  renderTable,
  signGitHub,
  statusCounts,
  summarise,
  UsageError,
} from './webhook-load.ts';

const REPO = { fullName: 'bench/web', cloneUrl: 'https://github.com/bench/web.git', branch: 'main' };
const TEMPLATE = {
  ref: 'refs/heads/master',
  commits: [{ id: 'x', added: ['a.ts'] }],
  head_commit: { id: 'x' },
  repository: { full_name: 'o/r', clone_url: 'u', html_url: 'h' },
};

describe('flags', () => {
  it('defaults to the goal: 200/s for 30 s over 10 connections', () => {
    expect(parseOptions([])).toEqual({ rate: 200, durationS: 30, connections: 10 });
    expect(parseOptions(['--rate', '50', '--duration=5', '--connections', '4', '--cpu-prof', 'out'])).toEqual(
      {
        rate: 50,
        durationS: 5,
        connections: 4,
        cpuProfDir: 'out',
      },
    );
  });

  it('refuses what is not a whole number in range, unknown flags and positionals', () => {
    const bad = [
      ['--rate', '0'],
      ['--rate', '2.5'],
      ['--rate', 'x'],
      ['--duration', '-1'],
      ['--connections', '1001'],
      ['--cpu-prof', ''],
      ['--rat', '5'],
      ['extra'],
    ];
    for (const argv of bad) expect(() => parseOptions(argv), argv.join(' ')).toThrow(UsageError);
    expect(() => parseOptions(['--rate', '2.5'])).toThrow(
      '--rate takes a whole number from 1 to 100000, got "2.5"',
    );
    expect(() => parseOptions(['--help'])).toThrow(new UsageError(''));
  });
});

describe('a delivery', () => {
  it('signs like GitHub (its published test vector)', () => {
    expect(signGitHub('Hello, World!', "It's a Secret to Everybody")).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('is the template pointed at the repository, with its own id, commit and signature', () => {
    // sha1sum of "r1:0" and "r1:-1".
    expect(commitSha('r1', 0)).toBe('aeedf8ca67f9f140f1418556293be9f94d3700d8');
    expect(commitSha('r1', -1)).toBe('8506b717d87879b049cac8973014bffdba4073d6');
    const d = pushDelivery(TEMPLATE, 'r1', 0, REPO, 's3cret');
    expect(d.id).toBe('r1-0');
    expect(d.sha).toBe('aeedf8ca67f9f140f1418556293be9f94d3700d8');
    expect(JSON.parse(d.body)).toEqual({
      ref: 'refs/heads/main',
      commits: [{ id: 'aeedf8ca67f9f140f1418556293be9f94d3700d8', added: ['a.ts'] }],
      head_commit: { id: 'aeedf8ca67f9f140f1418556293be9f94d3700d8' },
      repository: { full_name: 'bench/web', clone_url: 'https://github.com/bench/web.git', html_url: 'h' },
      before: '8506b717d87879b049cac8973014bffdba4073d6',
      after: 'aeedf8ca67f9f140f1418556293be9f94d3700d8',
      compare: 'https://github.com/bench/web/compare/8506b717d878...aeedf8ca67f9',
    });
    expect(d.headers).toEqual({
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/selfreview-bench',
      'x-github-event': 'push',
      'x-github-delivery': 'r1-0',
      'x-hub-signature-256': 'sha256=16421ad41087e8cfac06afdbb2df12937beb64e60e989b90c0aaf097da96a32d',
    });
    expect(TEMPLATE.head_commit.id).toBe('x');
  });

  it("is accepted by the gateway's own signature check and read as a push to the branch", () => {
    const d = pushDelivery(TEMPLATE, 'r1', 7, REPO, 's3cret');
    expect(verifyGitHubSignature(Buffer.from(d.body), d.headers['x-hub-signature-256'], 's3cret').ok).toBe(
      true,
    );
    expect(verifyGitHubSignature(Buffer.from(d.body), d.headers['x-hub-signature-256'], 'other').ok).toBe(
      false,
    );
    expect(parseGitHubPush(JSON.parse(d.body))).toMatchObject({
      repository: { fullName: 'bench/web' },
      branch: 'main',
      before: commitSha('r1', 6),
      after: commitSha('r1', 7),
      deletedBranch: false,
    });
    expect(pushDelivery(TEMPLATE, 'r1', 8, REPO, 's3cret').body).not.toBe(d.body);
  });
});

/** `n` requests sent 5 ms apart, each answered after `latency(i)` ms, 202 queued unless `answer` says. */
function records(
  n: number,
  latency: (i: number) => number,
  answer: (i: number) => Partial<RequestRecord> = () => ({}),
): RequestRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    delivery: `r-${i}`,
    sha: commitSha('r', i),
    sentAt: i * 5,
    answeredAt: i * 5 + latency(i),
    status: 202,
    outcome: 'queued',
    ...answer(i),
  }));
}

describe('summaries', () => {
  it('takes nearest-rank percentiles', () => {
    expect(latencyStats([])).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
    expect(latencyStats([7])).toEqual({ count: 1, p50: 7, p90: 7, p99: 7, max: 7 });
    // 1..200 shuffled: p50 is the 100th value, p90 the 180th, p99 the 198th.
    const values = Array.from({ length: 200 }, (_, i) => ((i * 37) % 200) + 1);
    expect(latencyStats(values)).toEqual({ count: 200, p50: 100, p90: 180, p99: 198, max: 200 });
  });

  it('counts statuses with the gateway’s answer, unanswered requests apart', () => {
    const rs = records(
      5,
      () => 1,
      (i) =>
        i === 1
          ? { outcome: 'duplicate', status: 200 }
          : i === 3
            ? { answeredAt: undefined, status: undefined }
            : {},
    );
    expect(statusCounts(rs)).toEqual([
      ['202 queued', 3],
      ['200 duplicate', 1],
      ['no answer', 1],
    ]);
  });

  it('finds every accepted delivery and the newest push as the one trigger', () => {
    const rs = records(
      4,
      () => 2,
      (i) => (i === 3 ? { answeredAt: undefined, status: undefined } : {}),
    );
    const keys = new Set(['r-0', 'r-1', 'r-2', 'r-3']);
    const newest = { id: '9', state: 'delayed', source: 'github:r-2', after: commitSha('r', 2) };
    expect(checkTriggers(rs, { deliveryKeys: keys, triggers: [newest] })).toEqual({
      accepted: 3,
      missingKeys: 0,
      unansweredKeys: 1,
      unknownKeys: 0,
      expectedTriggers: 1,
      triggers: 1,
      newest: true,
      triggerCommit: commitSha('r', 2).slice(0, 7),
      ok: true,
    });
    // r-0 was answered at 2 ms, and r-1 sent at 5 ms was accepted after it: r-0 cannot be the newest.
    const stale = { ...newest, source: 'github:r-0', after: commitSha('r', 0) };
    expect(checkTriggers(rs, { deliveryKeys: keys, triggers: [stale] })).toMatchObject({
      newest: false,
      ok: false,
    });
    // The commit must be the delivery's own.
    const wrongCommit = { ...newest, after: commitSha('r', 1) };
    expect(checkTriggers(rs, { deliveryKeys: keys, triggers: [wrongCommit] })).toMatchObject({
      newest: false,
    });
    expect(
      checkTriggers(rs, { deliveryKeys: new Set(['r-0', 'r-2', 'x-1']), triggers: [newest, stale] }),
    ).toMatchObject({ missingKeys: 1, unknownKeys: 1, triggers: 2, ok: false });
    expect(checkTriggers([], { deliveryKeys: new Set(), triggers: [] })).toMatchObject({
      expectedTriggers: 0,
      newest: true,
      ok: true,
    });
  });

  const facts = (rs: RequestRecord[], over: Partial<RunFacts> = {}): RunFacts => ({
    options: { rate: 200, durationS: 30, connections: 10 },
    autocannon: {
      duration: 30.02,
      connections: 10,
      errors: 0,
      timeouts: 0,
      non2xx: 0,
      mismatches: 0,
      resets: 0,
    },
    records: rs,
    redis: {
      deliveryKeys: new Set(rs.map((r) => r.delivery)),
      triggers: [
        {
          id: '1',
          state: 'delayed',
          source: `github:r-${rs.length - 1}`,
          after: commitSha('r', rs.length - 1),
        },
      ],
    },
    resources: {
      gatewayPeakRssBytes: 150 * 2 ** 20,
      gatewayRssBeforeBytes: 120 * 2 ** 20,
      gatewayCpuMs: 9_006,
      redisCpuMs: 1_230,
      generatorCpuMs: 4_560,
      loadAverage: 2.345,
      cpus: 2,
    },
    ...over,
  });

  it('makes the table rows of a run that meets the goal', () => {
    // 6,000 requests; latencies 1..100 ms repeating: p50 50, p90 90, p99 99 — over the goal, so 1..50 instead.
    const rs = records(6_000, (i) => (i % 50) + 1);
    const { rows, verdict } = summarise(facts(rs));
    expect(verdict).toEqual({ state: 'met', reasons: [] });
    expect(rows).toEqual([
      [
        'requests sent',
        '6,000 signed `push` deliveries, each with its own delivery id and head commit (planned 6,000)',
      ],
      [
        'rate',
        '200/s asked, 199.9/s sent; 10 keep-alive connections, each sending its 20 per second back to back',
      ],
      ['duration', '30 s asked, 30.0 s measured'],
      ['status counts', '202 queued: 6,000'],
      ['latency p50 / p90 / p99 / max (ms)', '25.0 / 45.0 / 50.0 / 50.0 (6,000 answers)'],
      [
        'errors',
        '0 (connection errors and timeouts 0, of which timeouts 0; non-2xx 0; unanswered at the stop 0)',
      ],
      [
        'triggers in Redis vs deliveries accepted',
        "delivery keys for 6,000 of 6,000 accepted deliveries; 1 trigger job (1 expected: pushes to one branch coalesce, the newest wins), the newest push's (" +
          `${commitSha('r', 5_999).slice(0, 7)})`,
      ],
      ['gateway process peak RSS', '150 MB (VmHWM, its peak since it started; 120 MB just before the load)'],
      [
        'CPU during the load',
        'gateway 9.0 s (30% of one core), Redis 1.2 s, load generator 4.6 s; 2 CPUs, load average 2.3 at the start',
      ],
      ['goal: p99 ≤ 50 ms at 200/s for 30 s, no error, every trigger in Redis', 'met'],
    ]);
    expect(renderTable(rows.slice(3, 5))).toBe(
      [
        '| | |',
        '| --- | --- |',
        '| status counts | 202 queued: 6,000 |',
        '| latency p50 / p90 / p99 / max (ms) | 25.0 / 45.0 / 50.0 / 50.0 (6,000 answers) |',
      ].join('\n'),
    );
  });

  it('says why the goal is missed, and does not judge a run below its rate or duration', () => {
    const rs = records(
      6_000,
      (i) => (i % 100) + 1,
      (i) => (i === 5 ? { status: 503, outcome: 'unreadable' } : {}),
    );
    const slow = summarise(
      facts(rs, {
        autocannon: {
          duration: 40,
          connections: 10,
          errors: 2,
          timeouts: 1,
          non2xx: 1,
          mismatches: 0,
          resets: 0,
        },
      }),
    );
    expect(slow.verdict).toEqual({
      state: 'MISSED',
      reasons: ['sent 150.0/s < 200/s', 'p99 99.0 ms > 50 ms', '3 errors', '1 answered but not queued'],
    });
    expect(slow.rows[9]?.[1]).toBe(
      'MISSED (sent 150.0/s < 200/s; p99 99.0 ms > 50 ms; 3 errors; 1 answered but not queued)',
    );
    const lost = summarise(
      facts(
        records(10, () => 1),
        { redis: { deliveryKeys: new Set(), triggers: [] } },
      ),
    );
    expect(lost.verdict.reasons).toContain('triggers in Redis do not match');
    const short = summarise(
      facts(
        records(10, () => 1),
        { options: { rate: 100, durationS: 5, connections: 10 } },
      ),
    );
    expect(short.verdict).toEqual({ state: 'not judged', reasons: ['this run was 100/s for 5 s'] });
  });
});
