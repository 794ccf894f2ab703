/**
 * The check of the configured model at a worker's start: one look-up in the Models API, so a
 * retired or unknown model stops the worker with one line instead of failing every item later.
 * The verdict (`judgeModel`) is pure; `checkModel` asks the service through the SDK.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';

export type ModelCheck =
  | { status: 'active'; model: string }
  /** Still served, but headed for retirement: a warning, the worker runs. */
  | { status: 'deprecated'; model: string; warning: string }
  /** Retired or unknown: the worker must not start. `line` says what to set. */
  | { status: 'unusable'; model: string; line: string }
  /** The check itself failed (network, service): a warning, the model path still retries later. */
  | { status: 'unchecked'; model: string; warning: string };

/** What the Models API said of the model: its lifecycle, or that it does not know it. */
export type ModelLookup =
  | { found: true; lifecycle: 'active' | 'deprecated' | 'retired'; retiresAt: string | null }
  | { found: false };

const WHAT_TO_SET =
  'set SELFREVIEW_MODEL to an active model (https://docs.anthropic.com/en/docs/about-claude/models)';

/**
 * The verdict on a model from the service's answer and the SDK's own end-of-life table
 * (`sdkEndOfLife`, YYYY-MM-DD or null). `today` is YYYY-MM-DD (UTC).
 */
export function judgeModel(input: {
  model: string;
  lookup: ModelLookup;
  sdkEndOfLife: string | null;
  today: string;
}): ModelCheck {
  const { model, lookup, sdkEndOfLife, today } = input;
  const unusable = (why: string): ModelCheck => ({
    status: 'unusable',
    model,
    line: `the model ${model} ${why}; ${WHAT_TO_SET}`,
  });
  if (!lookup.found) return unusable('is unknown to the model API (404 not_found_error)');
  if (lookup.lifecycle === 'retired')
    return unusable(`was retired${lookup.retiresAt ? ` on ${lookup.retiresAt.slice(0, 10)}` : ''}`);
  // The SDK's table can know of a retirement before the service's catalogue says so.
  if (sdkEndOfLife !== null && sdkEndOfLife <= today)
    return unusable(`reached its end of life on ${sdkEndOfLife} (@anthropic-ai/sdk's deprecated models)`);
  const retires = sdkEndOfLife ?? lookup.retiresAt?.slice(0, 10) ?? null;
  if (lookup.lifecycle === 'deprecated' || sdkEndOfLife !== null) {
    return {
      status: 'deprecated',
      model,
      warning: `the model ${model} is deprecated${retires ? ` and retires on ${retires}` : ''}; ${WHAT_TO_SET} before then`,
    };
  }
  return { status: 'active', model };
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** `November 30th, 2026` (the SDK's wording) as `2026-11-30`; null when it is not such a date. */
export function parseSdkDate(text: string): string | null {
  const m = /^([A-Za-z]+) (\d{1,2})(?:st|nd|rd|th)?, (\d{4})$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf((m[1] ?? '').toLowerCase());
  if (month < 0) return null;
  return `${m[3]}-${String(month + 1).padStart(2, '0')}-${String(m[2]).padStart(2, '0')}`;
}

/**
 * The installed SDK's table of deprecated models and their end-of-life dates (the one behind its
 * "The model '…' is deprecated" warning), as YYYY-MM-DD by model id. The SDK does not export it,
 * so it is read from the file next to the SDK's entry point; an SDK that moved it gives an empty
 * table, and the service's `lifecycle` still decides (the unit test notices the move).
 */
export function sdkDeprecatedModels(): Record<string, string> {
  try {
    const entry = createRequire(import.meta.url).resolve('@anthropic-ai/sdk');
    const file = path.join(path.dirname(entry), 'internal', 'data', 'deprecated-models.js');
    const text = readFileSync(file, 'utf8');
    const out: Record<string, string> = {};
    for (const m of text.matchAll(/'([^']+)':\s*'([^']+)'/g)) {
      const date = parseSdkDate(m[2] ?? '');
      if (m[1] && date) out[m[1]] = date;
    }
    return out;
  } catch {
    return {};
  }
}

/** Asks the Models API about `model` once (no retries: a worker should not wait long to start). */
export async function checkModel(opts: {
  apiKey: string;
  baseUrl?: string | undefined;
  model: string;
  now?: Date;
  timeoutMs?: number;
}): Promise<ModelCheck> {
  const sdk = new Anthropic({
    apiKey: opts.apiKey,
    ...(opts.baseUrl ? { baseURL: opts.baseUrl } : {}),
    maxRetries: 0,
    timeout: opts.timeoutMs ?? 10_000,
  });
  const today = (opts.now ?? new Date()).toISOString().slice(0, 10);
  const sdkEndOfLife = sdkDeprecatedModels()[opts.model] ?? null;
  const unchecked = (why: string): ModelCheck => ({
    status: 'unchecked',
    model: opts.model,
    warning: `could not check the model ${opts.model}: ${why}; going on, the model calls will retry`,
  });
  let lookup: ModelLookup;
  try {
    const info = await sdk.models.retrieve(opts.model);
    lookup = { found: true, lifecycle: info.lifecycle ?? 'active', retiresAt: info.retires_at ?? null };
  } catch (err) {
    if (!(err instanceof Anthropic.NotFoundError)) return unchecked(describe(err));
    // A gateway without the Models API also answers 404: the model counts as unknown only when
    // the same endpoint can list its models and this one is not among them.
    try {
      for await (const info of sdk.models.list({ limit: 1000 })) {
        if (info.id === opts.model) return unchecked('the Models API lists it but cannot retrieve it');
      }
      lookup = { found: false };
    } catch (listErr) {
      return unchecked(`the endpoint has no Models API (${describe(listErr)})`);
    }
  }
  return judgeModel({ model: opts.model, lookup, sdkEndOfLife, today });
}

function describe(err: unknown): string {
  if (err instanceof Anthropic.APIConnectionError) return `cannot reach the model API: ${err.message}`;
  if (err instanceof Anthropic.APIError)
    return `the model API answered ${err.status}: ${err.message.split('\n')[0]}`;
  return err instanceof Error ? err.message : String(err);
}
