/**
 * What the models cost, for the run report's estimate (not a bill): USD per million input and
 * output tokens, from Anthropic's model pages and pricing page as of 2026-12 (platform.claude.com,
 * "Models & pricing"). Cache writes and reads are not counted: selfreview does not cache prompts.
 *
 * A model that is not listed has no price: its cost is unknown, and the report says so instead of
 * pricing it like some other model.
 */

export type ModelPrice = {
  inputPerMTok: number;
  outputPerMTok: number;
  /** A higher rate for a prompt longer than `inputTokens` (the whole call is charged at it). */
  longPrompt?: { inputTokens: number; inputPerMTok: number; outputPerMTok: number };
};

const flat = (inputPerMTok: number, outputPerMTok: number): ModelPrice => ({ inputPerMTok, outputPerMTok });

/** By model id without a date suffix (`claude-haiku-4-5-20251001` is priced as `claude-haiku-4-5`). */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-fable-5-2': flat(8, 40),
  'claude-fable-5-1': flat(10, 50),
  'claude-fable-5': flat(10, 50),
  'claude-mythos-5-1': flat(10, 50),
  'claude-mythos-5': flat(10, 50),
  'claude-opus-5-5': flat(4, 20),
  'claude-opus-5': flat(5, 25),
  'claude-opus-4-8': flat(5, 25),
  'claude-opus-4-7': flat(5, 25),
  'claude-opus-4-6': flat(5, 25),
  'claude-opus-4-5': flat(5, 25),
  'claude-opus-4-1': flat(15, 75),
  'claude-opus-4': flat(15, 75),
  'claude-sonnet-5-5': flat(2, 10),
  'claude-sonnet-5': flat(2, 10),
  'claude-sonnet-4-6': flat(3, 15),
  'claude-sonnet-4-5': flat(3, 15),
  'claude-sonnet-4': flat(3, 15),
  // Haiku 5.5 is priced by prompt length: up to 100,000 input tokens, and above.
  'claude-haiku-5-5': {
    inputPerMTok: 0.1,
    outputPerMTok: 0.5,
    longPrompt: { inputTokens: 100_000, inputPerMTok: 0.5, outputPerMTok: 2.5 },
  },
  'claude-haiku-4-5': flat(1, 5),
};

/** The price of a model id (a dated snapshot id shares its alias's price); null when unknown. */
export function priceOf(model: string): ModelPrice | null {
  return MODEL_PRICES[model] ?? MODEL_PRICES[model.replace(/-\d{8}$/, '')] ?? null;
}

/** A call's estimated cost in USD; null when the model has no known price. */
export function estimateCostUsd(model: string, inputTokens: number, outputTokens: number): number | null {
  const price = priceOf(model);
  if (!price) return null;
  const rates = price.longPrompt && inputTokens > price.longPrompt.inputTokens ? price.longPrompt : price;
  return (inputTokens * rates.inputPerMTok + outputTokens * rates.outputPerMTok) / 1_000_000;
}
