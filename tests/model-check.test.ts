/**
 * The start-up check of the configured model, through the real SDK against the loopback Models
 * API: an active model passes, a retired or unknown one stops the worker and `selfreview run`
 * with one line naming the model and SELFREVIEW_MODEL, an unreachable service is a warning.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@selfreview/shared/config';
import { checkModel } from '@selfreview/shared/model/check';
import { startupModelCheck } from '@selfreview/shared/model/setup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FROM_SOURCE, runCli } from './helpers/cli.ts';
import { type FakeAnthropic, startFakeAnthropic } from './helpers/fake-anthropic.ts';
import { makeRepo, removeDir } from './helpers/git.ts';
import { testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const API_KEY = 'sk-ant-loopback-check-key-0123456789';
const HINT =
  'set SELFREVIEW_MODEL to an active model (https://docs.anthropic.com/en/docs/about-claude/models)';
const NOW = new Date('2026-12-01T12:00:00Z');

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('checkModel against the Models API', () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({
      apiKey: API_KEY,
      models: [
        { id: 'claude-sonnet-5-5', lifecycle: 'active' },
        { id: 'claude-sonnet-4-5', lifecycle: 'retired', retiresAt: '2026-11-30T00:00:00Z' },
        { id: 'claude-sonnet-4-6', lifecycle: 'deprecated', retiresAt: '2027-02-17T00:00:00Z' },
      ],
    });
  });
  afterAll(async () => {
    await fake.close();
  });
  const check = (model: string, baseUrl = fake.url) =>
    checkModel({ apiKey: API_KEY, baseUrl, model, now: NOW });

  it('passes an active model with one look-up', async () => {
    const before = fake.modelLookups.length;
    expect(await check('claude-sonnet-5-5')).toEqual({ status: 'active', model: 'claude-sonnet-5-5' });
    expect(fake.modelLookups.slice(before)).toEqual(['/v1/models/claude-sonnet-5-5']);
  });

  it('stops on a retired model, naming it and what to set', async () => {
    expect(await check('claude-sonnet-4-5')).toEqual({
      status: 'unusable',
      model: 'claude-sonnet-4-5',
      line: `the model claude-sonnet-4-5 was retired on 2026-11-30; ${HINT}`,
    });
  });

  it('stops on a model the API does not know (404 on retrieve, absent from the list)', async () => {
    const before = fake.modelLookups.length;
    expect(await check('claude-sonet-5-5')).toEqual({
      status: 'unusable',
      model: 'claude-sonet-5-5',
      line: `the model claude-sonet-5-5 is unknown to the model API (404 not_found_error); ${HINT}`,
    });
    expect(fake.modelLookups.slice(before)).toEqual(['/v1/models/claude-sonet-5-5', '/v1/models?limit=1000']);
  });

  it('warns about a deprecated model and lets it run', async () => {
    expect(await check('claude-sonnet-4-6')).toEqual({
      status: 'deprecated',
      model: 'claude-sonnet-4-6',
      warning: `the model claude-sonnet-4-6 is deprecated and retires on 2027-02-17; ${HINT} before then`,
    });
  });

  it('warns, without stopping, when the service cannot be reached', async () => {
    const result = await check('claude-sonnet-5-5', `http://127.0.0.1:${await closedPort()}`);
    expect(result).toMatchObject({ status: 'unchecked', model: 'claude-sonnet-5-5' });
    expect(result.status === 'unchecked' && result.warning).toMatch(
      /^could not check the model claude-sonnet-5-5: cannot reach the model API: .*; going on, the model calls will retry$/,
    );
  });

  it('warns, without stopping, when a gateway has no Models API at all', async () => {
    // The fake under a path prefix answers 404 to every Models API request, as such a gateway does.
    const result = await check('claude-sonnet-5-5', `${fake.url}/no-models-api`);
    expect(result).toMatchObject({ status: 'unchecked' });
    expect(result.status === 'unchecked' && result.warning).toMatch(/the endpoint has no Models API/);
  });
});

describe('a retired model stops the worker and selfreview run', () => {
  let fake: FakeAnthropic;
  let repo: string;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: API_KEY });
    repo = await makeRepo({ 'tsconfig.json': '{}', 'src/a.ts': 'export const a = 1;\n' });
  });
  afterAll(async () => {
    await fake.close();
    await removeDir(repo);
  });
  const env = (model: string) => ({
    REDIS_URL: testRedisUrl(),
    SELFREVIEW_PREFIX: uniquePrefix('check'),
    ANTHROPIC_API_KEY: API_KEY,
    ANTHROPIC_BASE_URL: fake.url,
    SELFREVIEW_MODEL: model,
  });
  const line = `the model claude-sonnet-4-5 was retired on 2026-11-30; ${HINT}`;

  it('selfreview run: one line on stderr and exit code 2, before any worker starts', async () => {
    const res = await runCli(['run', repo], env('claude-sonnet-4-5'));
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`selfreview: ${line}\n`);
    expect(res.stdout).not.toMatch(/Redis:|Run /);
  });

  it('the fix worker: one line on stderr and exit code 2', async () => {
    const entry = fileURLToPath(new URL('../services/fix/src/main.ts', import.meta.url));
    const child = spawn(process.execPath, [...FROM_SOURCE, entry], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LOG_LEVEL: 'silent',
        ...env('claude-sonnet-4-5'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toBe(`selfreview fix worker: ${line}\n`);
  });

  it('no key: no check, not even of a retired model', async () => {
    const before = fake.modelLookups.length;
    const { ANTHROPIC_API_KEY: _, ...noKey } = env('claude-sonnet-4-5');
    expect(await startupModelCheck(loadConfig(noKey), noKey)).toBeNull();
    expect(fake.modelLookups.length).toBe(before);
    // With the key, the same configuration is checked (and refused).
    const withKey = env('claude-sonnet-4-5');
    expect(await startupModelCheck(loadConfig(withKey), withKey)).toMatchObject({ status: 'unusable', line });
    expect(fake.modelLookups.length).toBe(before + 1);
  });
});
