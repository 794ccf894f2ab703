/**
 * Token budgets and the operator's ceilings for fixes by the model: a repository's config cannot
 * raise them (lowered, with a warning in the run), no call is made that a budget cannot cover,
 * and the budget store reserves in every scope at once, warns at 80% and settles to real usage.
 */
import { createFixProcessor } from '@selfreview/fix/processor';
import { loadConfig } from '@selfreview/shared/config';
import { TokenBudget } from '@selfreview/shared/model/budget';
import { createModel } from '@selfreview/shared/model/setup';
import type { FixJob } from '@selfreview/shared/queues';
import { afterAll, describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir } from './helpers/git.ts';
import { A_TS, API_KEY, edit, FILES, GOOD_EDITS, modelFixTestBed } from './helpers/model-fix.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

describe('fixes by the model', () => {
  const bed = modelFixTestBed();
  const { prefix, redis, runs, log, ctx, job, processor } = bed;

  it("a repository's selfreview.config cannot raise the operator's ceilings: lowered, with a warning in the run", async () => {
    const greedy = await makeRepo({
      ...FILES,
      'selfreview.config.json': JSON.stringify({
        fix: { maxMinutes: 120, test: { timeoutSeconds: 3600 } },
        llm: { maxOutputTokens: 1024, budgets: { item: 10_000_000 } },
      }),
    });
    try {
      bed.fake.script(edit(GOOD_EDITS));
      const data = job('src/a.ts', A_TS, greedy, await git(greedy, 'rev-parse', 'HEAD'));
      const [result] = await processor()(data, ctx);
      expect(result?.status).toBe('committed');
      expect(await runs.warnings(data.runId)).toEqual([
        "selfreview.config asks for fix.maxMinutes 120 min, above the operator's ceiling of 30 min: 30 min is used",
        "selfreview.config asks for fix.test.timeoutSeconds 3600 s, above the operator's ceiling of 1200 s: 1200 s is used",
        "selfreview.config asks for llm.budgets.item 10000000 tokens, above the operator's ceiling of 40000 tokens: 40000 tokens is used",
      ]);
    } finally {
      await removeDir(greedy);
    }
  });

  it("the model client says once per run when the operator's ceiling lowers a repository's budget (apply's path)", async () => {
    const env = {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: bed.fake.url,
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_MODEL_CAP_RUN: '300000',
    };
    const capped = createModel({ config: loadConfig(env), env, redis, runs, log });
    if (!capped) throw new Error('the model should be on with a key');
    const scope = {
      repo: bed.repo,
      runId: 'run-client-cap',
      batchId: 'b',
      itemId: 'i',
      limits: { item: 20_000, batch: 60_000, run: 1_000_000, repoDay: 2_000_000 },
    };
    const req = { system: 's', messages: [{ role: 'user' as const, content: 'x' }], maxTokens: 256 };
    bed.fake.script({ kind: 'text', text: 'one' }, { kind: 'text', text: 'two' });
    expect((await capped.client.call(scope, req)).ok).toBe(true);
    expect((await capped.client.call(scope, req)).ok).toBe(true);
    expect(await runs.warnings('run-client-cap')).toEqual([
      "selfreview.config asks for llm.budgets.run 1000000 tokens, above the operator's ceiling of 300000 tokens: 300000 tokens is used",
    ]);
  });

  it('makes no call that a budget cannot cover: the item waits as budget_exhausted, not failed', async () => {
    const tight = await makeRepo({
      ...FILES,
      'selfreview.config.json': JSON.stringify({ llm: { maxOutputTokens: 1024, budgets: { item: 500 } } }),
    });
    try {
      const base = await git(tight, 'rev-parse', 'HEAD');
      const calls = bed.fake.calls.length;
      const requeued: FixJob[] = [];
      const data = job('src/a.ts', A_TS, tight, base);
      const [result] = await processor({ requeue: async (j) => void requeued.push(j) })(data, ctx);
      expect(bed.fake.calls.length).toBe(calls);
      expect(result).toMatchObject({ status: 'carried_over', commit: null });
      expect(result?.reason).toMatch(/^budget_exhausted: the item budget has 500 of 500 tokens left/);
      // Not handed to a follow-up batch: the budget would refuse it again.
      expect(requeued).toEqual([]);
    } finally {
      await removeDir(tight);
    }
  });

  it("the operator's cap wins over a repository's larger budget", async () => {
    const env = {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: bed.fake.url,
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_MODEL_CAP_ITEM: '500',
    };
    const cappedModel = createModel({ config: loadConfig(env), env, redis, runs, log });
    const calls = bed.fake.calls.length;
    const [result] = await createFixProcessor({
      runs,
      dataDir: bed.dataDir,
      ...(cappedModel ? { model: cappedModel } : {}),
    })(job(), ctx);
    expect(bed.fake.calls.length).toBe(calls);
    expect(result?.reason).toMatch(/^budget_exhausted: the item budget has 500 of 500 tokens left/);
  });
});

describe('token budgets', () => {
  const prefix = uniquePrefix('budget');
  const redis = connect();
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });
  const limits = { item: 100, batch: 150, run: 1_000, repoDay: 10_000 };
  const scope = (itemId: string) => ({ repo: '/r', runId: 'run', batchId: 'b', itemId, limits });

  it('reserves in every budget at once, warns once at 80%, refuses what would exceed, and settles to real usage', async () => {
    const budget = new TokenBudget(redis, prefix);
    const first = await budget.reserve(scope('i1'), 85);
    expect(first).toMatchObject({
      ok: true,
      warnings: ['model token budget per item is 80% used (limit 100 tokens)'],
    });
    // Over the item budget: refused, and nothing else counted.
    expect(await budget.reserve(scope('i1'), 20)).toEqual({ ok: false, scope: 'item', used: 85, limit: 100 });
    expect(await budget.usage(scope('i1'))).toEqual({ item: 85, batch: 85, run: 85, repoDay: 85 });
    if (first.ok) await budget.settle(first.reservation, 40);
    expect(await budget.usage(scope('i1'))).toEqual({ item: 40, batch: 40, run: 40, repoDay: 40 });
    // Another item of the batch: its own item budget, the batch's shared one.
    const second = await budget.reserve(scope('i2'), 90);
    expect(second).toMatchObject({
      ok: true,
      warnings: [
        'model token budget per item is 80% used (limit 100 tokens)',
        'model token budget per batch is 80% used (limit 150 tokens)',
      ],
    });
    expect(await budget.reserve(scope('i3'), 30)).toMatchObject({ ok: false, scope: 'batch' });
    const again = await budget.reserve(scope('i1'), 10);
    expect(again).toMatchObject({ ok: true, warnings: [] });
  });
});
