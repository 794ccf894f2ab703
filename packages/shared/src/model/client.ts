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
import { estimateCostUsd } from './prices.ts';

export { estimateCostUsd } from './prices.ts';

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
  /** costUsd is null when the model has no known price (see prices.ts). */
  | { ok: true; answer: ModelAnswer; tokens: number; costUsd: number | null }
  /** A budget would be exceeded: no call was made. */
  | { ok: false; reason: 'budget_exhausted'; scope: BudgetScopeName; detail: string }
  /** No answer in time, or the service stayed overloaded/rate-limited through the retries. */
  | { ok: false; reason: 'unavailable'; detail: string }
  /** The request itself was refused (bad request, key, permissions): retrying will not help. */
  | { ok: false; reason: 'refused'; detail: string }
  /**
   * The configured model cannot be used (unknown, retired, or refusing a request setting):
   * the operator's to fix, not the finding's fault.
   */
  | { ok: false; reason: 'model_unavailable'; detail: string }
  /** The model answered with stop_reason `refusal`: it declined this prompt; not the finding's fault either. */
  | { ok: false; reason: 'declined'; detail: string };

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

  /** Runs already told that this model's cost is unknown (once per run is enough). */
  private readonly unpricedRuns = new Set<string>();
  /** Runs and budgets already told that the operator's ceiling lowered them. */
  private readonly cappedRuns = new Set<string>();

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
    for (const s of BUDGET_SCOPES) {
      // Said once per run and budget: the repository asked for more than the operator allows.
      const key = `${scope.runId}:${s}`;
      if (limits[s] < scope.limits[s] && !this.cappedRuns.has(key)) {
        this.cappedRuns.add(key);
        await this.opts.onWarning?.(
          scope,
          `selfreview.config asks for llm.budgets.${s} ${scope.limits[s]} tokens, above the operator's ceiling of ${limits[s]} tokens: ${limits[s]} tokens is used`,
        );
      }
    }
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
          ...(req.toolName ? { tool_choice: toolChoice(this.opts.model, req.toolName) } : {}),
        },
        { timeout: attemptMs, maxRetries: this.opts.maxRetries },
      );
      const usage = { input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens };
      used = usage.input_tokens + usage.output_tokens;
      const costUsd = estimateCostUsd(this.opts.model, usage.input_tokens, usage.output_tokens);
      if (costUsd === null && !this.unpricedRuns.has(scope.runId)) {
        this.unpricedRuns.add(scope.runId);
        await this.opts.onWarning?.(
          scope,
          `model cost unknown: no price for ${this.opts.model}; the estimated cost leaves its calls out`,
        );
      }
      await this.opts.onUsage?.(scope, {
        calls: 1,
        inputTokens: usage.input_tokens,
        outputTokens: usage.output_tokens,
        // Counted as nothing in the run's estimate rather than guessed; the warning above says so.
        costUsd: costUsd ?? 0,
      });
      if (message.stop_reason === 'refusal') {
        return {
          ok: false,
          reason: 'declined',
          detail: `${this.opts.model} declined to answer (stop_reason refusal)`,
        };
      }
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

/**
 * How the answer is steered into the tool. Forcing the tool is the surest way to a structured
 * answer, but Anthropic's newest models (Sonnet 5.5, Opus 5.5, Fable 5.1 and after) answer a
 * forced tool_choice with 400; they are offered the tool and asked for it in the prompt instead.
 * Forcing is kept only for the models documented to accept it.
 */
export function toolChoice(
  model: string,
  toolName: string,
): { type: 'tool'; name: string } | { type: 'auto' } {
  return ACCEPTS_FORCED_TOOL_CHOICE.test(model) ? { type: 'tool', name: toolName } : { type: 'auto' };
}

const ACCEPTS_FORCED_TOOL_CHOICE = /^claude-(?:(?:opus|sonnet|haiku)-4(?:-\d)?|opus-5|sonnet-5)(?:-\d{8})?$/;

/**
 * A 400 about the model itself (an invalid or retired name, a setting this model refuses):
 * the model cannot serve any finding until the operator changes SELFREVIEW_MODEL.
 */
const MODEL_REFUSAL =
  /\bmodel\b.*\b(?:invalid|unknown|not found|not supported|retired|deprecated|does not exist|not available)\b|\b(?:invalid|unknown|retired) model\b/i;

function classify(err: unknown): ModelCallResult {
  if (err instanceof Anthropic.APIConnectionTimeoutError)
    return { ok: false, reason: 'unavailable', detail: 'the model did not answer in time' };
  if (err instanceof Anthropic.APIConnectionError)
    return { ok: false, reason: 'unavailable', detail: `cannot reach the model: ${err.message}` };
  if (err instanceof Anthropic.APIError) {
    const status = err.status ?? 0;
    const detail = `the model answered ${status}: ${firstLine(err.message)}`;
    // Only /v1/messages is called, so a 404 is the model: unknown to the service, or retired.
    if (status === 404 || (status === 400 && MODEL_REFUSAL.test(err.message)))
      return { ok: false, reason: 'model_unavailable', detail };
    // 408, 409, 429 and 5xx (529 overloaded) are worth another try later; other 4xx are not.
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    return { ok: false, reason: transient ? 'unavailable' : 'refused', detail };
  }
  throw err;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.slice(0, 300) ?? '';
}
