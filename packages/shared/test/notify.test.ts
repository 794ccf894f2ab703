import { describe, expect, it } from 'vitest';
import { summaryMessage } from '../src/notify.ts';
import type { RunReport } from '../src/schemas.ts';

const REPORT: RunReport = {
  runId: 'run-1',
  repo: { path: '/srv/web', baseBranch: 'main', baseSha: '0123456789abcdef0123456789abcdef01234567' },
  startedAt: '2026-11-21T00:00:00.000Z',
  finishedAt: '2026-11-21T00:01:00.000Z',
  stages: {
    scan: { files: 12, candidates: 5, durationMs: 1 },
    apply: { fix: 2, drop: 2, defer: 1, durationMs: 1 },
    fix: { batches: 1, committed: 2, failed: 0, carriedOver: 0, durationMs: 1 },
  },
  candidates: [],
  decisions: [],
  fixes: [],
  model: { enabled: true, calls: 2, inputTokens: 1500, outputTokens: 300, estimatedCostUsd: 0.0093 },
  pullRequests: [
    {
      batchId: 'run-1-b-1',
      branch: 'selfreview/remove-unused-imports-0123456789',
      status: 'opened',
      forge: 'github',
      url: 'https://github.example/o/web/pull/7',
      number: 7,
      labels: ['selfreview:auto-mergeable'],
      reason: 'opened',
    },
    {
      batchId: 'run-1-b-2',
      branch: 'selfreview/remove-unused-locals-abcdef0123',
      status: 'local_only',
      forge: null,
      url: null,
      number: null,
      labels: [],
      reason: 'no credentials: GITHUB_TOKEN is not set, so the branch stays local',
    },
  ],
  warnings: ['big.ts: skipped'],
};

describe('summaryMessage', () => {
  it('says what the run found, fixed and proposed, in a few lines', () => {
    expect(summaryMessage(REPORT, 'web').text).toBe(
      [
        'selfreview run run-1 on web (main @ 0123456)',
        'scan: 12 files, 5 candidates · apply: 2 fix, 2 drop, 1 defer · fix: 2 committed, 0 failed, 0 carried over',
        '• https://github.example/o/web/pull/7 (selfreview:auto-mergeable)',
        '• selfreview/remove-unused-locals-abcdef0123: local_only, no credentials: GITHUB_TOKEN is not set, so the branch stays local',
        'model: 2 calls, 1800 tokens, about $0.01',
        '1 warning(s); see the report',
      ].join('\n'),
    );
  });

  it('names the repository by its path without a configured name, and leaves out what did not happen', () => {
    const quiet = { ...REPORT, pullRequests: [], warnings: [], model: { ...REPORT.model, calls: 0 } };
    expect(summaryMessage(quiet).text.split('\n')).toHaveLength(2);
    expect(summaryMessage(quiet).text).toMatch(/^selfreview run run-1 on \/srv\/web /);
  });
});
