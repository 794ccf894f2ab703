import { describe, expect, it } from 'vitest';
import { capped, estimateCostUsd, estimateInputTokens, toolChoice } from '../src/model/client.ts';
import { MODEL_PRICES, priceOf } from '../src/model/prices.ts';

describe('estimateCostUsd', () => {
  it.each([
    // Current models, USD per million input / output tokens.
    ['claude-sonnet-5-5', 1_000_000, 0, 2],
    ['claude-sonnet-5-5', 0, 1_000_000, 10],
    ['claude-opus-5-5', 1_000_000, 1_000_000, 24],
    ['claude-haiku-4-5-20251001', 1_000_000, 1_000_000, 6],
    ['claude-fable-5-2', 1_000_000, 1_000_000, 48],
    // Haiku 5.5: $0.10 / $0.50 up to 100,000 prompt tokens, $0.50 / $2.50 above.
    ['claude-haiku-5-5', 100_000, 1_000_000, 0.51],
    ['claude-haiku-5-5', 100_001, 1_000_000, 2.5500005],
    // Earlier models still priced for old reports.
    ['claude-sonnet-4-5', 1_000_000, 1_000_000, 18],
    ['claude-opus-4-1', 0, 1_000_000, 75],
  ])('%s: %d in, %d out costs $%d', (model, input, output, usd) => {
    expect(estimateCostUsd(model, input, output)).toBeCloseTo(usd, 9);
  });

  it('knows no price for a model it does not list, instead of guessing one', () => {
    expect(estimateCostUsd('some-local-model', 1_000_000, 1_000_000)).toBeNull();
    expect(estimateCostUsd('claude-sonnet-9', 1, 1)).toBeNull();
    expect(priceOf('claude-mythos-preview')).toBeNull();
  });

  it('prices every current Opus, Sonnet and Haiku', () => {
    for (const id of ['claude-opus-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-haiku-4-5'])
      expect(MODEL_PRICES[id], id).toBeDefined();
  });
});

describe('toolChoice', () => {
  it('forces the tool only on models documented to accept it; the 5.5 generation is offered it', () => {
    const forced = { type: 'tool', name: 't' };
    expect(toolChoice('claude-sonnet-4-6', 't')).toEqual(forced);
    expect(toolChoice('claude-haiku-4-5-20251001', 't')).toEqual(forced);
    expect(toolChoice('claude-opus-5', 't')).toEqual(forced);
    expect(toolChoice('claude-sonnet-5', 't')).toEqual(forced);
    expect(toolChoice('claude-sonnet-5-5', 't')).toEqual({ type: 'auto' });
    expect(toolChoice('claude-opus-5-5', 't')).toEqual({ type: 'auto' });
    expect(toolChoice('claude-fable-5-1', 't')).toEqual({ type: 'auto' });
    expect(toolChoice('a-local-model', 't')).toEqual({ type: 'auto' });
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
