/**
 * The model adapter: one call to the Messages API through `@anthropic-ai/sdk`, inside the
 * token budgets and the caller's time. Before a call its worst case is reserved in every
 * budget (and refused when one would go over); after it, the reservation is settled to the
 * response's usage. Each attempt's timeout is the caller's remaining time divided by the
 * attempts the SDK may make, so SDK retries never outlast the batch.
 */
import Anthropic from '@anthropic-ai/sdk';
import {
  BUDGET_SCOPES,
  type BudgetLimits,
  type BudgetScope,
  type BudgetScopeName,
  type TokenBudget,
} from './budget.ts';

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: string; [key: string]: unknown };

export type ModelMessage = { role: 'user' | 'assistant'; content: string | readonly unknown[] };

export type ModelRequest = {
  system: string;
  messages: readonly ModelMessage[];
  tools?: readonly unknown[];
  /** Forces the answer through this tool. */
  toolName?: string;
  maxTokens: number;
};

export type ModelAnswer = {
  stop_reason: string | null;
  content: readonly ContentBlock[];
  usage: { input_tokens: number; output_tokens: number };
};

export type ModelCallResult =
  | { ok: true; answer: ModelAnswer; tokens: number; costUsd: number }
  /** A budget would be exceeded: no call was made. */
  | { ok: false; reason: 'budget_exhausted'; scope: BudgetScopeName; detail: string }
  /** No answer in time, or the service stayed overloaded/rate-limited through the retries. */
  | { ok: false; reason: 'unavailable'; detail: string }
  /** The request itself was refused (bad request, key, permissions): retrying will not help. */
  | { ok: false; reason: 'refused'; detail: string };

export type ModelUsage = { calls: number; inputTokens: number; outputTokens: number; costUsd: number };

export type ModelClientOptions = {
  apiKey: string;
  baseUrl?: string | undefined;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  budget: TokenBudget;
  /** The operator's ceilings: a repository's limits above them are lowered to them. */
  caps?: Partial<BudgetLimits>;
  /** Each answered call's usage, for the run report. */
  onUsage?: (scope: BudgetScope, usage: ModelUsage) => Promise<void>;
  /** Budget warnings (80%), once per budget, for the log and the report. */
  onWarning?: (scope: BudgetScope, warning: string) => Promise<void>;
};

/** USD per million tokens (input, output): estimates for the report, not a bill. */
const PRICES: readonly [RegExp, number, number][] = [
  [/opus-4-[15-9]/, 5, 25],
  [/opus/, 15, 75],
  [/haiku-4/, 1, 5],
  [/haiku/, 0.8, 4],
  [/sonnet/, 3, 15],
];
const DEFAULT_PRICE: [number, number] = [3, 15];

export function estimateCostUsd(model: string, inputTokens: number, outputTokens: number): number {
  const [, inPrice, outPrice] = PRICES.find(([re]) => re.test(model)) ?? [null, ...DEFAULT_PRICE];
  return (inputTokens * inPrice + outputTokens * outPrice) / 1_000_000;
}

/**
 * An upper estimate of a prompt's tokens: code and JSON run at three or more characters per
 * token, so a third of the characters rarely undercounts.
 */
export function estimateInputTokens(req: Pick<ModelRequest, 'system' | 'messages' | 'tools'>): number {
  return Math.ceil(JSON.stringify([req.system, req.messages, req.tools ?? []]).length / 3);
}

/** Below this, an attempt has no real chance of an answer: the call is not made. */
const MIN_ATTEMPT_MS = 1_000;

export class ModelClient {
  private readonly sdk: Anthropic;

  constructor(private readonly opts: ModelClientOptions) {
    this.sdk = new Anthropic({
      apiKey: opts.apiKey,
      ...(opts.baseUrl ? { baseURL: opts.baseUrl } : {}),
      maxRetries: opts.maxRetries,
      timeout: opts.timeoutMs,
    });
  }

  get model(): string {
    return this.opts.model;
  }

  async call(
    scope: BudgetScope,
    req: ModelRequest,
    opts: { deadline?: number } = {},
  ): Promise<ModelCallResult> {
    const attempts = this.opts.maxRetries + 1;
    const left = opts.deadline === undefined ? Number.POSITIVE_INFINITY : opts.deadline - Date.now();
    const attemptMs = Math.min(this.opts.timeoutMs, Math.floor(left / attempts));
    if (attemptMs < MIN_ATTEMPT_MS) {
      return { ok: false, reason: 'unavailable', detail: 'no time left in the batch for a model call' };
    }

    const worstCase = estimateInputTokens(req) + req.maxTokens;
    const limits = capped(scope.limits, this.opts.caps);
    const reserved = await this.opts.budget.reserve({ ...scope, limits }, worstCase);
    if (!reserved.ok) {
      return {
        ok: false,
        reason: 'budget_exhausted',
        scope: reserved.scope,
        detail: `budget_exhausted: the ${reserved.scope} budget has ${Math.max(0, reserved.limit - reserved.used)} of ${reserved.limit} tokens left, a call may need ${worstCase}`,
      };
    }
    for (const w of reserved.warnings) await this.opts.onWarning?.(scope, w);

    let used = 0;
    try {
      const message = await this.sdk.messages.create(
        {
          model: this.opts.model,
          max_tokens: req.maxTokens,
          system: req.system,
          messages: req.messages as Anthropic.MessageParam[],
          ...(req.tools ? { tools: req.tools as Anthropic.Tool[] } : {}),
          ...(req.toolName ? { tool_choice: { type: 'tool' as const, name: req.toolName } } : {}),
        },
        { timeout: attemptMs, maxRetries: this.opts.maxRetries },
      );
      const usage = { input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens };
      used = usage.input_tokens + usage.output_tokens;
      const costUsd = estimateCostUsd(this.opts.model, usage.input_tokens, usage.output_tokens);
      await this.opts.onUsage?.(scope, {
        calls: 1,
        inputTokens: usage.input_tokens,
        outputTokens: usage.output_tokens,
        costUsd,
      });
      return {
        ok: true,
        answer: { stop_reason: message.stop_reason, content: message.content as ContentBlock[], usage },
        tokens: used,
        costUsd,
      };
    } catch (err) {
      return classify(err);
    } finally {
      // An unanswered call used nothing; an answered one used what its usage says.
      await this.opts.budget.settle(reserved.reservation, used);
    }
  }
}

/** Each limit lowered to the operator's cap for it, when there is one. */
export function capped(limits: BudgetLimits, caps: Partial<BudgetLimits> | undefined): BudgetLimits {
  if (!caps) return limits;
  return Object.fromEntries(
    BUDGET_SCOPES.map((s) => [s, Math.min(limits[s], caps[s] ?? Number.POSITIVE_INFINITY)]),
  ) as BudgetLimits;
}

function classify(err: unknown): ModelCallResult {
  if (err instanceof Anthropic.APIConnectionTimeoutError)
    return { ok: false, reason: 'unavailable', detail: 'the model did not answer in time' };
  if (err instanceof Anthropic.APIConnectionError)
    return { ok: false, reason: 'unavailable', detail: `cannot reach the model: ${err.message}` };
  if (err instanceof Anthropic.APIError) {
    const status = err.status ?? 0;
    const detail = `the model answered ${status}: ${firstLine(err.message)}`;
    // 408, 409, 429 and 5xx (529 overloaded) are worth another try later; other 4xx are not.
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    return { ok: false, reason: transient ? 'unavailable' : 'refused', detail };
  }
  throw err;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.slice(0, 300) ?? '';
}
