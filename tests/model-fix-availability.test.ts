/**
 * Fixes by the model when the model is not there to answer: retried on 429 and 529, carried over
 * to a follow-up batch when overloaded or past the timeout, carried over (and not remembered as
 * the finding failing) when the model declines or cannot be used, and waiting as needs_llm
 * without a model; an answer that is the model's own failure is still remembered as failed.
 */
import { createFixProcessor } from '@selfreview/fix/processor';
import { FindingMemory } from '@selfreview/shared/memory';
import type { FixJob } from '@selfreview/shared/queues';
import { describe, expect, it } from 'vitest';
import { edit, GOOD_EDITS, modelFixTestBed } from './helpers/model-fix.ts';

describe('fixes by the model', () => {
  const bed = modelFixTestBed();
  const { prefix, redis, runs, ctx, job, processor, budgetUsed } = bed;

  it('retries a 429 with retry-after and a 529, and then commits', async () => {
    bed.fake.script(
      { kind: 'error', status: 429, retryAfterSeconds: 1 },
      { kind: 'error', status: 529 },
      edit(GOOD_EDITS),
    );
    const calls = bed.fake.calls.length;
    const [result] = await processor()(job(), ctx);
    expect(result?.status).toBe('committed');
    expect(bed.fake.calls.length - calls).toBe(3);
  });

  it('an overloaded service or a response past the timeout leaves the item queued for a follow-up, not failed', async () => {
    for (const replies of [
      [
        { kind: 'error' as const, status: 529 as const },
        { kind: 'error' as const, status: 529 as const },
        { kind: 'error' as const, status: 529 as const },
      ],
      [
        { kind: 'hang' as const, ms: 2_500 },
        { kind: 'hang' as const, ms: 2_500 },
        { kind: 'hang' as const, ms: 2_500 },
      ],
    ]) {
      bed.fake.script(...replies);
      const requeued: FixJob[] = [];
      const data = job();
      const [result] = await processor({ requeue: async (j) => void requeued.push(j) })(data, ctx);
      expect(result).toMatchObject({ status: 'carried_over', commit: null });
      expect(result?.reason).toMatch(/^model unavailable: .*; continues in batch /);
      expect(requeued).toHaveLength(1);
      expect(await runs.modelUsage(data.runId)).toMatchObject({ calls: 0 });
      // Nothing was answered, so nothing stays counted against the budgets.
      expect(await budgetUsed(data)).toMatchObject({ item: 0, batch: 0, run: 0 });
    }
  });

  it.each([
    ['declines the prompt (stop_reason refusal)', { kind: 'refusal' as const }, /model declined: .*refusal/],
    [
      'is unknown or retired (404 not_found_error)',
      { kind: 'error' as const, status: 404 as const, message: 'model: claude-sonnet-5-5' },
      /model cannot be used: the model answered 404/,
    ],
    [
      'is refused as an invalid model (400)',
      { kind: 'error' as const, status: 400 as const, message: 'model: invalid model name' },
      /model cannot be used: the model answered 400/,
    ],
  ])(
    'when the model %s, the item is carried over and not remembered as the finding failing',
    async (_, reply, reason) => {
      const memory = new FindingMemory(redis, prefix);
      bed.fake.script(reply);
      const data = job();
      const [result] = await processor({ memory })(data, ctx);
      expect(result).toMatchObject({ status: 'carried_over', branch: null, commit: null });
      expect(result?.reason).toMatch(reason);
      const ids = data.files[0]?.items.map((i) => i.candidate.id) ?? [];
      expect(ids.length).toBeGreaterThan(0);
      expect((await memory.recall(bed.repo, ids)).size).toBe(0);
    },
  );

  it("an answer that is the model's own failure (text instead of the tool) is still remembered as failed", async () => {
    const memory = new FindingMemory(redis, prefix);
    bed.fake.script({ kind: 'text', text: 'Sure, here is the fix.' });
    const data = job();
    await expect(processor({ memory })(data, ctx)).rejects.toThrow(/no_tool_use/);
    const ids = data.files[0]?.items.map((i) => i.candidate.id) ?? [];
    const remembered = await memory.recall(bed.repo, ids);
    expect([...remembered.values()].map((r) => r.outcome)).toEqual(ids.map(() => 'failed'));
  });

  it('without a model, items that need it wait as needs_llm', async () => {
    const calls = bed.fake.calls.length;
    const [result] = await createFixProcessor({ runs, dataDir: bed.dataDir })(job(), ctx);
    expect(result).toMatchObject({ status: 'carried_over' });
    expect(result?.reason).toBe('needs_llm: resolve_todo waits for the model fixer');
    expect(bed.fake.calls.length).toBe(calls);
  });
});
