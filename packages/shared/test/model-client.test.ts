import { describe, expect, it } from 'vitest';
import { capped, estimateCostUsd, estimateInputTokens } from '../src/model/client.ts';

describe('estimateCostUsd', () => {
  it.each([
    ['claude-sonnet-4-5', 1_000_000, 0, 3],
    ['claude-sonnet-4-5', 0, 1_000_000, 15],
    ['claude-haiku-4-5', 1_000_000, 1_000_000, 6],
    ['claude-opus-4-5', 1_000_000, 0, 5],
    ['claude-opus-4-1', 0, 1_000_000, 25],
    ['claude-3-opus', 1_000_000, 0, 15],
    ['some-local-model', 1_000_000, 0, 3],
  ])('%s: %d in, %d out costs about $%d', (model, input, output, usd) => {
    expect(estimateCostUsd(model, input, output)).toBeCloseTo(usd);
  });
});

describe('estimateInputTokens', () => {
  it('counts a third of the characters of system, messages and tools, rounded up', () => {
    const req = { system: 'abc', messages: [{ role: 'user' as const, content: 'hello' }], tools: [] };
    const chars = JSON.stringify(['abc', req.messages, []]).length;
    expect(estimateInputTokens(req)).toBe(Math.ceil(chars / 3));
  });
});

describe('capped', () => {
  it("lowers a repository's limits to the operator's caps, never raises them", () => {
    const limits = { item: 20_000, batch: 60_000, run: 400_000, repoDay: 2_000_000 };
    expect(capped(limits, undefined)).toEqual(limits);
    expect(capped(limits, { run: 100_000, item: 50_000 })).toEqual({ ...limits, run: 100_000 });
  });
});
