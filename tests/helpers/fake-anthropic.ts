/**
 * A loopback stand-in for the Anthropic Messages API (`POST /v1/messages`) and Models API
 * (`GET /v1/models/{id}`, `GET /v1/models`), answering with the
 * real service's status codes, headers and JSON shapes so that the real `@anthropic-ai/sdk`
 * client can talk to it. Each test scripts the replies; every request is recorded.
 *
 * Authentication: the real service takes the key in `x-api-key`; the SDK (1.x) sends it as
 * `Authorization: Bearer <key>`. Both are accepted, and checked when `apiKey` is given.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { flatHeaders, listenOnLoopback, readBody, sendJson } from './loopback.ts';

type Usage = { input_tokens: number; output_tokens: number };

export type ScriptedReply =
  | {
      kind: 'tool_use';
      name: string;
      input: unknown;
      usage?: Usage;
      stop_reason?: 'tool_use' | 'max_tokens' | 'end_turn';
      delayMs?: number;
    }
  | { kind: 'text'; text: string; usage?: Usage; stop_reason?: 'end_turn' | 'max_tokens'; delayMs?: number }
  /** The model declined: stop_reason `refusal`, no content. */
  | { kind: 'refusal'; usage?: Usage }
  | { kind: 'error'; status: 429 | 529 | 500 | 400 | 401 | 404; retryAfterSeconds?: number; message?: string }
  /** Answer nothing for `ms` (to trip the client's timeout), then close the connection. */
  | { kind: 'hang'; ms: number };

export type RecordedCall = {
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The parsed JSON request (the raw text when it is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: a request body is whatever the client sent.
  body: any;
  /** Date.now() when the request was received. */
  at: number;
};

/** A model in the fake's catalogue, as the Models API describes it. */
export type FakeModel = {
  id: string;
  lifecycle: 'active' | 'deprecated' | 'retired';
  /** RFC 3339; null while none is scheduled. */
  retiresAt?: string | null;
};

/** The default catalogue: the current Sonnet, Opus and Haiku, and the Sonnet retired on 2026-11-30. */
export const FAKE_MODELS: readonly FakeModel[] = [
  { id: 'claude-sonnet-5-5', lifecycle: 'active' },
  { id: 'claude-opus-5-5', lifecycle: 'active' },
  { id: 'claude-haiku-5-5', lifecycle: 'active' },
  { id: 'claude-sonnet-4-5', lifecycle: 'retired', retiresAt: '2026-11-30T00:00:00Z' },
];

export type FakeAnthropic = {
  /** e.g. http://127.0.0.1:PORT, the SDK's `baseURL`. */
  url: string;
  /** Every Models API request's path and query (e.g. `/v1/models/claude-sonnet-5-5`). */
  modelLookups: string[];
  /** Every POST /v1/messages received, including ones answered with errors. */
  calls: RecordedCall[];
  /** Queues replies; each request that passes validation consumes one. */
  script(...replies: ScriptedReply[]): void;
  /** Drops the replies not consumed yet; returns how many there were. */
  unscripted(): number;
  /** When the script is empty: a function deciding the reply from the request (default: 500 'no scripted reply'). */
  // biome-ignore lint/suspicious/noExplicitAny: the request body as the client sent it.
  onRequest(fn: (body: any) => ScriptedReply): void;
  close(): Promise<void>;
};

type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

const ERROR_TYPES: Record<number, ErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Invalid request',
  401: 'invalid x-api-key',
  404: 'Not Found',
  429: 'Number of request tokens has exceeded your per-minute rate limit',
  500: 'Internal server error',
  529: 'Overloaded',
};

/** The part of a validated request the answer depends on. */
type MessageRequest = { model: string; messages: unknown[]; system?: unknown };

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

export async function startFakeAnthropic(
  opts: { apiKey?: string; models?: readonly FakeModel[] } = {},
): Promise<FakeAnthropic> {
  const calls: RecordedCall[] = [];
  const modelLookups: string[] = [];
  const catalogue = opts.models ?? FAKE_MODELS;
  const queue: ScriptedReply[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: the request body as the client sent it.
  let fallback: ((body: any) => ScriptedReply) | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      send(res, apiError(500, err instanceof Error ? err.message : String(err)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) {
      modelLookups.push(`${path}${url.search}`);
      send(res, checkAuth(flatHeaders(req)) ?? models(url));
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      send(res, errorAnswer(404, 'not_found_error', 'Not Found'));
      return;
    }
    const headers = flatHeaders(req);
    const body = parseJson(raw);
    calls.push({ headers, body: body === undefined ? raw : body, at: Date.now() });

    const refusal = checkAuth(headers) ?? checkRequest(headers, body);
    if (refusal) {
      send(res, refusal);
      return;
    }
    const reply = next(body);
    if (reply.kind === 'hang') {
      await wait(reply.ms);
      // Closed without a response, as a dropped connection looks to the client.
      res.destroy();
      return;
    }
    if (reply.kind === 'error') {
      const answer = apiError(reply.status, reply.message);
      if (reply.retryAfterSeconds !== undefined) {
        answer.headers = { 'retry-after': String(reply.retryAfterSeconds) };
      }
      send(res, answer);
      return;
    }
    if (reply.kind === 'refusal') {
      send(res, { status: 200, body: refusalMessage(body as MessageRequest, reply.usage) });
      return;
    }
    if (reply.delayMs) await wait(reply.delayMs);
    send(res, { status: 200, body: message(body as MessageRequest, reply) });
  }

  /** The Models API: one model by id (404 not_found_error when unknown), or a page of them. */
  function models(url: URL): Answer {
    const id = url.pathname.startsWith('/v1/models/')
      ? decodeURIComponent(url.pathname.slice('/v1/models/'.length))
      : null;
    if (id !== null) {
      const model = catalogue.find((m) => m.id === id);
      return model
        ? { status: 200, body: modelInfo(model) }
        : errorAnswer(404, 'not_found_error', `model: ${id}`);
    }
    // As the real list: active and deprecated models unless `lifecycle` asks for others.
    const asked = [...url.searchParams.getAll('lifecycle'), ...url.searchParams.getAll('lifecycle[]')];
    const stages = asked.length > 0 ? asked : ['active', 'deprecated'];
    const data = catalogue.filter((m) => stages.includes(m.lifecycle)).map(modelInfo);
    return {
      status: 200,
      body: { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null },
    };
  }

  function checkAuth(headers: Record<string, string>): Answer | undefined {
    if (opts.apiKey === undefined) return undefined;
    const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
    const key = headers['x-api-key'] || bearer;
    if (key === undefined) return errorAnswer(401, 'authentication_error', 'x-api-key header is required');
    if (key !== opts.apiKey) return errorAnswer(401, 'authentication_error', 'invalid x-api-key');
    return undefined;
  }

  function checkRequest(headers: Record<string, string>, body: unknown): Answer | undefined {
    const invalid = (message: string) => errorAnswer(400, 'invalid_request_error', message);
    if (!headers['anthropic-version']) return invalid('anthropic-version: header is required');
    if (body === undefined) return invalid('There was an issue with your request body: invalid JSON');
    if (!isRecord(body)) return invalid('body: Input should be an object');
    if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required');
    // As the real service: a model it does not know, or has retired, is not served.
    const model = catalogue.find((m) => m.id === body.model);
    if (!model || model.lifecycle === 'retired')
      return errorAnswer(404, 'not_found_error', `model: ${body.model}`);
    const maxTokens = body.max_tokens;
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
      return invalid('max_tokens: Field required, an integer of at least 1');
    }
    if (!Array.isArray(body.messages)) return invalid('messages: Field required, a list');
    if (body.stream === true) return invalid('stream: streaming is not supported by this fake');
    return undefined;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the request body as the client sent it.
  function next(body: any): ScriptedReply {
    const scripted = queue.shift();
    if (scripted) return scripted;
    if (fallback) return fallback(body);
    return { kind: 'error', status: 500, message: 'no scripted reply' };
  }

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  const listening = await listenOnLoopback(server);

  return {
    url: listening.url,
    modelLookups,
    calls,
    unscripted() {
      return queue.splice(0).length;
    },
    script(...replies) {
      queue.push(...replies);
    },
    onRequest(fn) {
      fallback = fn;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return listening.close();
    },
  };
}

/** The body of a successful Messages API answer. */
function message(
  request: MessageRequest,
  reply: Extract<ScriptedReply, { kind: 'tool_use' | 'text' }>,
): unknown {
  const produced = reply.kind === 'tool_use' ? reply.input : reply.text;
  const content =
    reply.kind === 'tool_use'
      ? [{ type: 'tool_use', id: newId('toolu_'), name: reply.name, input: reply.input }]
      : [{ type: 'text', text: reply.text }];
  const promptLength =
    jsonLength(request.messages) + (request.system === undefined ? 0 : jsonLength(request.system));
  const usage = reply.usage ?? {
    input_tokens: Math.ceil(promptLength / 4),
    output_tokens: Math.ceil(jsonLength(produced) / 4),
  };
  return {
    id: newId('msg_'),
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: reply.stop_reason ?? (reply.kind === 'tool_use' ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

/** A model object as `GET /v1/models/{id}` returns it. */
function modelInfo(model: FakeModel) {
  const line = /^claude-(haiku|sonnet|opus|fable|mythos)-/.exec(model.id)?.[1] ?? null;
  return {
    type: 'model',
    id: model.id,
    display_name: model.id,
    created_at: '2026-09-28T00:00:00Z',
    capabilities: null,
    lifecycle: model.lifecycle,
    line,
    deprecated_at: model.lifecycle === 'active' ? null : '2026-09-28T00:00:00Z',
    retires_at: model.retiresAt ?? null,
    max_input_tokens: 1_000_000,
    max_tokens: 128_000,
  };
}

/** The body of an answer the model declined: stop_reason `refusal`, no content. */
function refusalMessage(request: MessageRequest, usage: Usage | undefined): unknown {
  const used = usage ?? { input_tokens: Math.ceil(jsonLength(request.messages) / 4), output_tokens: 1 };
  return {
    id: newId('msg_'),
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: [],
    stop_reason: 'refusal',
    stop_sequence: null,
    usage: { ...used, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function apiError(status: number, message?: string): Answer {
  return errorAnswer(
    status,
    ERROR_TYPES[status] ?? 'api_error',
    message ?? DEFAULT_MESSAGES[status] ?? 'Error',
  );
}

function errorAnswer(status: number, type: ErrorType, message: string): Answer {
  return { status, body: { type: 'error', error: { type, message } } };
}

function send(res: ServerResponse, answer: Answer): void {
  sendJson(res, answer.status, answer.body, { 'request-id': newId('req_'), ...answer.headers });
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An identifier shaped like the service's: a prefix, `01`, then 22 letters and digits. */
function newId(prefix: string): string {
  const bytes = randomBytes(22);
  let id = `${prefix}01`;
  for (const b of bytes) id += ID_ALPHABET.charAt(b % ID_ALPHABET.length);
  return id;
}

function jsonLength(value: unknown): number {
  return (JSON.stringify(value) ?? '').length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
