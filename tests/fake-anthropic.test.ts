/**
 * The real `@anthropic-ai/sdk` client over real HTTP against the loopback Messages API of
 * helpers/fake-anthropic.ts: answers, usage and stop reasons arrive as sent; rate limits,
 * overload and timeouts go through the SDK's own retry policy; a wrong key is refused.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from './helpers/fake-anthropic.ts';

// The SDK is a dependency of @selfreview/shared, not of this package: resolved from there.
const sdkPath = createRequire(import.meta.url).resolve('@anthropic-ai/sdk', {
  paths: [fileURLToPath(new URL('../packages/shared/', import.meta.url))],
});
const sdk = (await import(pathToFileURL(sdkPath).href)) as Sdk;

/** The part of the SDK these tests use (its own types do not resolve from this package). */
type Sdk = {
  Anthropic: new (opts: { apiKey: string; baseURL: string; maxRetries?: number; timeout?: number }) => Client;
  APIError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  AuthenticationError: ErrorClass;
  BadRequestError: ErrorClass;
  InternalServerError: ErrorClass;
  OverloadedError: ErrorClass;
};
type ErrorClass = abstract new (...args: never[]) => Error;
type Client = { messages: { create(params: Record<string, unknown>): Promise<Message> } };
type Message = {
  id: string;
  type: string;
  role: string;
  model: string;
  content: Record<string, unknown>[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: Record<string, number>;
};
type ApiError = Error & {
  status?: number;
  type?: string | null;
  apiMessage?: string | null;
  requestID?: string;
};

// Not shaped like any real key format, so no secret scanner mistakes it for one.
const KEY = 'selfreview-test-model-key-5c1e8a40';
const WRONG = 'selfreview-wrong-model-key-93d07b1f';
const MODEL = 'claude-sonnet-5-5';

const TOOL = {
  name: 'report_findings',
  description: 'Report the findings of the review.',
  input_schema: {
    type: 'object',
    properties: { findings: { type: 'array', items: { type: 'string' } } },
    required: ['findings'],
  },
};
const FINDINGS = { findings: ['src/a.ts:3 unused import x'] };

function request(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: MODEL,
    max_tokens: 1024,
    system: 'You review TypeScript changes.',
    tools: [TOOL],
    tool_choice: { type: 'tool', name: TOOL.name },
    messages: [{ role: 'user', content: 'Review src/a.ts.' }],
    ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected the request to fail');
}

describe('the real Anthropic SDK against the fake Messages API', () => {
  let fake: FakeAnthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
  });

  afterEach(async () => {
    await fake.close();
  });

  function client(over: { apiKey?: string; maxRetries?: number; timeout?: number } = {}): Client {
    return new sdk.Anthropic({ apiKey: KEY, baseURL: fake.url, maxRetries: 0, ...over });
  }

  const retryCounts = () => fake.calls.map((c) => c.headers['x-stainless-retry-count']);

  it('returns a tool_use answer with its usage and stop_reason', async () => {
    fake.script({
      kind: 'tool_use',
      name: TOOL.name,
      input: FINDINGS,
      usage: { input_tokens: 1234, output_tokens: 56 },
    });

    const msg = await client().messages.create(request());

    expect(msg).toEqual({
      id: expect.stringMatching(/^msg_01[A-Za-z0-9]{22}$/),
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [
        {
          type: 'tool_use',
          id: expect.stringMatching(/^toolu_01[A-Za-z0-9]{22}$/),
          name: TOOL.name,
          input: FINDINGS,
        },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 1234,
        output_tokens: 56,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0]!;
    expect(call.body).toEqual(request());
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // This SDK sends the API key as a bearer token, not in x-api-key.
    expect(call.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(call.headers['x-api-key']).toBeUndefined();
    expect(call.headers['x-stainless-retry-count']).toBe('0');
  });

  it('counts tokens from the request and the answer when no usage is scripted', async () => {
    fake.script({ kind: 'tool_use', name: TOOL.name, input: FINDINGS });
    const req = request();

    const msg = await client().messages.create(req);

    const prompt = JSON.stringify(req.messages).length + JSON.stringify(req.system).length;
    expect(msg.usage).toEqual({
      input_tokens: Math.ceil(prompt / 4),
      output_tokens: Math.ceil(JSON.stringify(FINDINGS).length / 4),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });

  it('shows a max_tokens stop', async () => {
    fake.script(
      { kind: 'text', text: 'The change looks', stop_reason: 'max_tokens' },
      { kind: 'tool_use', name: TOOL.name, input: { findings: [] }, stop_reason: 'max_tokens' },
    );

    const text = await client().messages.create(
      request({ max_tokens: 4, tools: undefined, tool_choice: undefined }),
    );
    const tool = await client().messages.create(request({ max_tokens: 8 }));

    expect(text.stop_reason).toBe('max_tokens');
    expect(text.content).toEqual([{ type: 'text', text: 'The change looks' }]);
    expect(tool.stop_reason).toBe('max_tokens');
    expect(tool.content[0]).toMatchObject({ type: 'tool_use', name: TOOL.name });
  });

  it('retries a 429 after its retry-after, then succeeds', async () => {
    fake.script(
      { kind: 'error', status: 429, retryAfterSeconds: 1 },
      { kind: 'tool_use', name: TOOL.name, input: FINDINGS },
    );

    const msg = await client({ maxRetries: 2 }).messages.create(request());

    expect(msg.content[0]).toMatchObject({ type: 'tool_use', input: FINDINGS });
    expect(fake.calls).toHaveLength(2);
    expect(retryCounts()).toEqual(['0', '1']);
    expect(fake.calls[1]!.body).toEqual(fake.calls[0]!.body);
  });

  it('retries a 529 twice with maxRetries 2, then succeeds', async () => {
    fake.script(
      { kind: 'error', status: 529 },
      { kind: 'error', status: 529 },
      { kind: 'tool_use', name: TOOL.name, input: FINDINGS },
    );

    const msg = await client({ maxRetries: 2 }).messages.create(request());

    expect(msg.stop_reason).toBe('tool_use');
    expect(fake.calls).toHaveLength(3);
    expect(retryCounts()).toEqual(['0', '1', '2']);
  });

  it('surfaces a 529 beyond maxRetries as the SDK overloaded error', async () => {
    fake.script({ kind: 'error', status: 529 }, { kind: 'error', status: 529, message: 'Overloaded, still' });

    const err = await failure(client({ maxRetries: 1 }).messages.create(request()));

    expect(err).toBeInstanceOf(sdk.OverloadedError);
    expect(err).toBeInstanceOf(sdk.InternalServerError);
    expect(err).toBeInstanceOf(sdk.APIError);
    expect(err.status).toBe(529);
    expect(err.type).toBe('overloaded_error');
    expect(err.apiMessage).toBe('Overloaded, still');
    expect(err.requestID).toMatch(/^req_/);
    expect(fake.calls).toHaveLength(2);
  });

  it('gives APIConnectionTimeoutError when the server answers nothing within the timeout', async () => {
    fake.script({ kind: 'hang', ms: 5_000 });

    const err = await failure(client({ timeout: 300, maxRetries: 0 }).messages.create(request()));

    expect(err).toBeInstanceOf(sdk.APIConnectionTimeoutError);
    expect(err).toBeInstanceOf(sdk.APIConnectionError);
    expect(err.status).toBeUndefined();
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.headers['x-stainless-timeout']).toBe('0');
  });

  it('retries a timed-out request', async () => {
    fake.script({ kind: 'hang', ms: 5_000 }, { kind: 'tool_use', name: TOOL.name, input: FINDINGS });

    const msg = await client({ timeout: 300, maxRetries: 1 }).messages.create(request());

    expect(msg.stop_reason).toBe('tool_use');
    expect(retryCounts()).toEqual(['0', '1']);
  });

  it('refuses a wrong API key with AuthenticationError, not retried', async () => {
    fake.script({ kind: 'tool_use', name: TOOL.name, input: FINDINGS });

    const err = await failure(client({ apiKey: WRONG, maxRetries: 2 }).messages.create(request()));

    expect(err).toBeInstanceOf(sdk.AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.type).toBe('authentication_error');
    expect(err.apiMessage).toBe('invalid x-api-key');
    expect(fake.calls).toHaveLength(1);
    // The refused request consumed nothing from the script.
    const msg = await client().messages.create(request());
    expect(msg.content[0]).toMatchObject({ type: 'tool_use', input: FINDINGS });
  });

  it('does not retry a 400, and refuses streaming', async () => {
    fake.script({ kind: 'error', status: 400, message: 'messages: roles must alternate' });

    const bad = await failure(client({ maxRetries: 2 }).messages.create(request()));
    const stream = await failure(client().messages.create(request({ stream: true })));

    expect(bad).toBeInstanceOf(sdk.BadRequestError);
    expect(bad.type).toBe('invalid_request_error');
    expect(bad.apiMessage).toBe('messages: roles must alternate');
    expect(stream).toBeInstanceOf(sdk.BadRequestError);
    expect(stream.apiMessage).toMatch(/^stream:/);
    expect(fake.calls).toHaveLength(2);
  });

  it('asks onRequest once the script is empty, and answers 500 without either', async () => {
    const none = await failure(client().messages.create(request()));
    expect(none).toBeInstanceOf(sdk.InternalServerError);
    expect(none.status).toBe(500);
    expect(none.type).toBe('api_error');
    expect(none.apiMessage).toBe('no scripted reply');

    fake.script({ kind: 'text', text: 'scripted' });
    fake.onRequest((body) => ({ kind: 'text', text: `turns: ${body.messages.length}` }));
    const first = await client().messages.create(request());
    const second = await client().messages.create(
      request({
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
          { role: 'user', content: 'c' },
        ],
      }),
    );

    expect(first.content).toEqual([{ type: 'text', text: 'scripted' }]);
    expect(second.content).toEqual([{ type: 'text', text: 'turns: 3' }]);
    expect(second.stop_reason).toBe('end_turn');
  });
});

describe('the fake Messages API on its own', () => {
  let fake: FakeAnthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
  });

  afterEach(async () => {
    await fake.close();
  });

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': KEY,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, requestId: res.headers.get('request-id'), body: await res.json() };
  }

  const valid = { model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
  const refusal = (type: string, message: string | RegExp) => ({
    type: 'error',
    error: { type, message: typeof message === 'string' ? message : expect.stringMatching(message) },
  });

  it('answers 404 to anything but POST /v1/messages, recording none of it', async () => {
    const get = await fetch(`${fake.url}/v1/messages`);
    const other = await post('/v1/complete', valid);

    expect(get.status).toBe(404);
    expect(await get.json()).toEqual(refusal('not_found_error', 'Not Found'));
    expect(get.headers.get('request-id')).toMatch(/^req_/);
    expect(other.status).toBe(404);
    expect(fake.calls).toHaveLength(0);
  });

  it('takes the key in x-api-key and needs one, and an anthropic-version', async () => {
    fake.script({ kind: 'text', text: 'ok' });

    const ok = await post('/v1/messages', valid);
    const noKey = await post('/v1/messages', valid, { 'x-api-key': '' });
    const noVersion = await post('/v1/messages', valid, { 'anthropic-version': '' });

    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'ok' }] });
    expect(noKey).toMatchObject({ status: 401, body: refusal('authentication_error', /x-api-key/) });
    expect(noVersion).toMatchObject({
      status: 400,
      body: refusal('invalid_request_error', /anthropic-version/),
    });
    expect(fake.calls).toHaveLength(3);
  });

  it('refuses a body without model, max_tokens or messages', async () => {
    const bodies = [
      '{not json',
      { ...valid, model: undefined },
      { ...valid, max_tokens: 0 },
      { ...valid, max_tokens: '16' },
      { ...valid, messages: 'hi' },
    ];
    for (const body of bodies) {
      const res = await post('/v1/messages', body);
      expect(res).toMatchObject({ status: 400, body: refusal('invalid_request_error', /.+/) });
      expect(res.requestId).toMatch(/^req_/);
    }
    expect(fake.calls).toHaveLength(bodies.length);
    expect(fake.calls[0]!.body).toBe('{not json');
  });

  it('sends retry-after with a scripted error when asked', async () => {
    fake.script({ kind: 'error', status: 429, retryAfterSeconds: 7 }, { kind: 'error', status: 500 });

    const limited = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': KEY },
      body: JSON.stringify(valid),
    });
    const failed = await post('/v1/messages', valid);

    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual(refusal('rate_limit_error', /.+/));
    expect(failed).toMatchObject({ status: 500, body: refusal('api_error', /.+/) });
  });
});
