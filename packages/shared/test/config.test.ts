import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  applyOperatorCaps,
  type CheckSettings,
  defaultFixConcurrency,
  defaultRepoConfig,
  loadConfig,
  parseRepoConfig,
  registerCheckSettings,
} from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

// Shared names no check: the checks' registry registers `rules` (tested with the real checks in
// packages/checks/test/config.test.ts). Two stand-ins, built the same way, one with an option.
registerCheckSettings(
  z
    .object({
      'example-check': z
        .object({ enabled: z.boolean().default(true) })
        .strict()
        .prefault({}),
      'limited-check': z
        .object({ enabled: z.boolean().default(true), limit: z.number().int().min(1).default(3) })
        .strict()
        .prefault({}),
    })
    .strict()
    .prefault({}) as unknown as z.ZodType<CheckSettings>,
);

/** Runs `fn`, expects a ConfigError and returns its message. */
function configErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const DEFAULT_REPO_CONFIG = {
  rules: {
    'example-check': { enabled: true },
    'limited-check': { enabled: true, limit: 3 },
  },
  apply: { confidenceThreshold: 0.7, memoryDays: 14 },
  fix: {
    maxFiles: 2,
    maxMinutes: 10,
    concurrency: 1,
    typecheck: { timeoutSeconds: 300 },
    test: { timeoutSeconds: 600, scope: 'related' },
    setup: { timeoutSeconds: 300 },
  },
  llm: {
    budgets: { item: 20_000, batch: 60_000, run: 400_000, repoDay: 2_000_000 },
    maxOutputTokens: 4096,
    secondOpinion: true,
  },
  protectedPaths: [],
  ignore: [],
};

describe('loadConfig', () => {
  it('uses the defaults when the environment sets nothing', () => {
    expect(loadConfig({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'selfreview',
      dataDir: path.join(os.homedir(), '.cache', 'selfreview'),
      logLevel: 'info',
      concurrency: 1,
      fixConcurrency: defaultFixConcurrency(),
      fixKeptWorktrees: 2,
      jobLockSeconds: 30,
      modelName: 'claude-sonnet-5-5',
      modelApiKeyEnv: 'ANTHROPIC_API_KEY',
      modelTimeoutSeconds: 120,
      modelMaxRetries: 2,
      // The operator's ceilings are on even when nothing is set.
      modelBudgetCaps: { item: 40_000, batch: 120_000, run: 800_000, repoDay: 4_000_000 },
      timeCaps: { fixMinutes: 30, testSeconds: 1200, typecheckSeconds: 900, setupSeconds: 900 },
    });
  });

  it('honours every environment key', () => {
    expect(
      loadConfig({
        REDIS_URL: 'rediss://cache.example:6380/2',
        SELFREVIEW_PREFIX: 'sr_test-1',
        SELFREVIEW_DATA_DIR: '/var/lib/selfreview',
        LOG_LEVEL: 'debug',
        SELFREVIEW_CONCURRENCY: '4',
        SELFREVIEW_FIX_CONCURRENCY: '3',
        SELFREVIEW_FIX_KEPT_WORKTREES: '0',
        SELFREVIEW_JOB_LOCK_SECONDS: '5',
        SELFREVIEW_MODEL: 'claude-haiku-4-5',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000',
        SELFREVIEW_MODEL_API_KEY_ENV: 'LITELLM_KEY',
        SELFREVIEW_MODEL_TIMEOUT_SECONDS: '30',
        SELFREVIEW_MODEL_MAX_RETRIES: '0',
        SELFREVIEW_MODEL_CAP_RUN: '100000',
        SELFREVIEW_MODEL_CAP_REPO_DAY: '500000',
        SELFREVIEW_CAP_FIX_MINUTES: '5',
        SELFREVIEW_CAP_TEST_SECONDS: '120',
        SELFREVIEW_CAP_TYPECHECK_SECONDS: '60',
        SELFREVIEW_CAP_SETUP_SECONDS: '30',
      }),
    ).toEqual({
      redisUrl: 'rediss://cache.example:6380/2',
      prefix: 'sr_test-1',
      dataDir: '/var/lib/selfreview',
      logLevel: 'debug',
      concurrency: 4,
      fixConcurrency: 3,
      fixKeptWorktrees: 0,
      jobLockSeconds: 5,
      modelName: 'claude-haiku-4-5',
      modelBaseUrl: 'http://127.0.0.1:4000',
      modelApiKeyEnv: 'LITELLM_KEY',
      modelTimeoutSeconds: 30,
      modelMaxRetries: 0,
      modelBudgetCaps: { item: 40_000, batch: 120_000, run: 100_000, repoDay: 500_000 },
      timeCaps: { fixMinutes: 5, testSeconds: 120, typecheckSeconds: 60, setupSeconds: 30 },
    });
  });

  it.each([
    ['REDIS_URL', 'redis://localhost:6379', { redisUrl: 'redis://localhost:6379' }],
    ['SELFREVIEW_PREFIX', 'other', { prefix: 'other' }],
    ['SELFREVIEW_DATA_DIR', '/data', { dataDir: '/data' }],
    ['LOG_LEVEL', 'silent', { logLevel: 'silent' }],
    ['SELFREVIEW_CONCURRENCY', '64', { concurrency: 64 }],
    ['SELFREVIEW_JOB_LOCK_SECONDS', '2', { jobLockSeconds: 2 }],
    ['SELFREVIEW_FIX_CONCURRENCY', '2', { fixConcurrency: 2 }],
    ['SELFREVIEW_FIX_KEPT_WORKTREES', '16', { fixKeptWorktrees: 16 }],
  ])('reads %s on its own', (key, value, expected) => {
    expect(loadConfig({ [key]: value })).toMatchObject(expected);
  });

  it('runs half as many fix batches at once as there are cores, at least one', () => {
    expect([1, 2, 3, 4, 8].map((cores) => defaultFixConcurrency(cores))).toEqual([1, 1, 1, 2, 4]);
  });

  it('does not read process.env when an environment is passed', () => {
    const saved = process.env.SELFREVIEW_PREFIX;
    process.env.SELFREVIEW_PREFIX = 'from-process';
    try {
      expect(loadConfig({}).prefix).toBe('selfreview');
    } finally {
      if (saved === undefined) delete process.env.SELFREVIEW_PREFIX;
      else process.env.SELFREVIEW_PREFIX = saved;
    }
  });

  it.each([
    ['REDIS_URL', 'http://localhost:6379', 'REDIS_URL: expected a redis:// or rediss:// URL'],
    ['REDIS_URL', 'not a url', 'REDIS_URL: expected a redis:// or rediss:// URL'],
    ['SELFREVIEW_PREFIX', 'a:b', 'SELFREVIEW_PREFIX: expected 1-32 letters, digits, _ or -'],
    ['SELFREVIEW_PREFIX', 'x'.repeat(33), 'SELFREVIEW_PREFIX: expected 1-32 letters, digits, _ or -'],
    ['SELFREVIEW_DATA_DIR', '', 'SELFREVIEW_DATA_DIR: Too small: expected string to have >=1 characters'],
    [
      'LOG_LEVEL',
      'verbose',
      'LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
    ],
    ['SELFREVIEW_CONCURRENCY', '0', 'SELFREVIEW_CONCURRENCY: Too small: expected number to be >=1'],
    ['SELFREVIEW_CONCURRENCY', '65', 'SELFREVIEW_CONCURRENCY: Too big: expected number to be <=64'],
    ['SELFREVIEW_CONCURRENCY', '1.5', 'SELFREVIEW_CONCURRENCY: Invalid input: expected int, received number'],
    ['SELFREVIEW_CONCURRENCY', 'two', 'SELFREVIEW_CONCURRENCY: Invalid input: expected number, received NaN'],
    ['SELFREVIEW_FIX_CONCURRENCY', '0', 'SELFREVIEW_FIX_CONCURRENCY: Too small: expected number to be >=1'],
    [
      'SELFREVIEW_FIX_KEPT_WORKTREES',
      '17',
      'SELFREVIEW_FIX_KEPT_WORKTREES: Too big: expected number to be <=16',
    ],
  ])('refuses %s=%j with a ConfigError naming the variable', (key, value, detail) => {
    expect(configErrorMessage(() => loadConfig({ [key]: value }))).toBe(`invalid environment: ${detail}`);
  });

  it('lists every invalid variable in one message', () => {
    expect(configErrorMessage(() => loadConfig({ SELFREVIEW_PREFIX: '', SELFREVIEW_CONCURRENCY: '0' }))).toBe(
      'invalid environment: SELFREVIEW_PREFIX: expected 1-32 letters, digits, _ or -; ' +
        'SELFREVIEW_CONCURRENCY: Too small: expected number to be >=1',
    );
  });
});

describe('parseRepoConfig', () => {
  it.each([
    ['selfreview.config.json', '{}'],
    ['selfreview.config.yaml', '{}'],
    ['selfreview.config.yaml', ''],
    ['selfreview.config.yml', '# only a comment\n'],
    ['selfreview.config.json', 'null'],
  ])('applies every nested default for %s containing %j', (fileName, text) => {
    expect(parseRepoConfig(text, fileName)).toEqual(DEFAULT_REPO_CONFIG);
  });

  it('reads JSON and keeps the defaults of the keys it leaves out', () => {
    const text = JSON.stringify({
      rules: { 'example-check': { enabled: false } },
      fix: { maxFiles: 5, typecheck: { command: ['pnpm', 'tsc', '--noEmit'] } },
      ignore: ['gen/**'],
    });
    expect(parseRepoConfig(text, 'selfreview.config.json')).toEqual({
      ...DEFAULT_REPO_CONFIG,
      rules: { ...DEFAULT_REPO_CONFIG.rules, 'example-check': { enabled: false } },
      fix: {
        ...DEFAULT_REPO_CONFIG.fix,
        maxFiles: 5,
        typecheck: { command: ['pnpm', 'tsc', '--noEmit'], timeoutSeconds: 300 },
      },
      ignore: ['gen/**'],
    });
  });

  it('reads YAML and keeps the defaults of the keys it leaves out', () => {
    const text = [
      'apply:',
      '  confidenceThreshold: 0.9',
      'fix:',
      '  maxMinutes: 30',
      '  test:',
      '    command: [npm, test]',
      '    timeoutSeconds: 120',
      'protectedPaths:',
      '  - src/generated/**',
      '',
    ].join('\n');
    expect(parseRepoConfig(text, 'selfreview.config.yaml')).toEqual({
      ...DEFAULT_REPO_CONFIG,
      apply: { confidenceThreshold: 0.9, memoryDays: 14 },
      fix: {
        ...DEFAULT_REPO_CONFIG.fix,
        maxMinutes: 30,
        test: { command: ['npm', 'test'], timeoutSeconds: 120, scope: 'related' },
      },
      protectedPaths: ['src/generated/**'],
    });
  });

  it.each([
    ['{"fix":{"maxFiles":0}}', 'fix.maxFiles: Too small: expected number to be >=1'],
    ['{"fix":{"maxFiles":21}}', 'fix.maxFiles: Too big: expected number to be <=20'],
    ['{"fix":{"maxFiles":"2"}}', 'fix.maxFiles: Invalid input: expected number, received string'],
    ['{"fix":{"concurrency":0}}', 'fix.concurrency: expected at least 1 batch at a time'],
    ['{"fix":{"concurrency":1.5}}', 'fix.concurrency: expected a whole number of batches from 1 to 16'],
    ['{"fix":{"concurrency":"2"}}', 'fix.concurrency: expected a whole number of batches from 1 to 16'],
    ['{"fix":{"maxMinutes":0}}', 'fix.maxMinutes: Too small: expected number to be >0'],
    [
      '{"apply":{"confidenceThreshold":1.5}}',
      'apply.confidenceThreshold: Too big: expected number to be <=1',
    ],
    [
      '{"rules":{"example-check":{"enabled":"no"}}}',
      'rules.example-check.enabled: Invalid input: expected boolean, received string',
    ],
    [
      '{"rules":{"limited-check":{"limit":0}}}',
      'rules.limited-check.limit: Too small: expected number to be >=1',
    ],
    [
      '{"fix":{"typecheck":{"command":[]}}}',
      'fix.typecheck.command: Too small: expected array to have >=1 items',
    ],
    [
      '{"fix":{"test":{"timeoutSeconds":3601}}}',
      'fix.test.timeoutSeconds: Too big: expected number to be <=3600',
    ],
    ['[1, 2]', '(root): Invalid input: expected object, received array'],
  ])('refuses %s naming the file and the dotted key path', (text, detail) => {
    expect(configErrorMessage(() => parseRepoConfig(text, 'selfreview.config.json'))).toBe(
      `selfreview.config.json: ${detail}`,
    );
  });

  it('names the YAML file and the key path in its error', () => {
    expect(configErrorMessage(() => parseRepoConfig('fix:\n  maxFiles: -1\n', 'selfreview.config.yml'))).toBe(
      'selfreview.config.yml: fix.maxFiles: Too small: expected number to be >=1',
    );
  });

  it.each([
    ['{"bogus":1}', '(root): Unrecognized key: "bogus"'],
    ['{"fix":{"bogus":1}}', 'fix: Unrecognized key: "bogus"'],
    ['{"rules":{"no-such-rule":{}}}', 'rules: Unrecognized key: "no-such-rule"'],
    [
      '{"rules":{"example-check":{"enabled":true,"level":2}}}',
      'rules.example-check: Unrecognized key: "level"',
    ],
    ['{"fix":{"typecheck":{"cmd":"tsc"}}}', 'fix.typecheck: Unrecognized key: "cmd"'],
  ])('refuses the unknown key in %s', (text, detail) => {
    expect(configErrorMessage(() => parseRepoConfig(text, 'selfreview.config.json'))).toBe(
      `selfreview.config.json: ${detail}`,
    );
  });

  it('says the JSON file is not valid JSON', () => {
    expect(configErrorMessage(() => parseRepoConfig('{not json', 'selfreview.config.json'))).toMatch(
      /^selfreview\.config\.json: not valid JSON: \S/,
    );
  });

  it('says the YAML file is not valid YAML', () => {
    expect(configErrorMessage(() => parseRepoConfig('a: [1,', 'selfreview.config.yaml'))).toMatch(
      /^selfreview\.config\.yaml: not valid YAML: \S/,
    );
  });

  it('parses a file whose name does not end in .json as YAML', () => {
    expect(configErrorMessage(() => parseRepoConfig('{"a": 1,,}', 'selfreview.config.yml'))).toMatch(
      /^selfreview\.config\.yml: not valid YAML: /,
    );
  });
});

describe('applyOperatorCaps', () => {
  const caps = loadConfig({});

  it('leaves a repository within the ceilings alone, the defaults included', () => {
    expect(applyOperatorCaps(defaultRepoConfig(), caps)).toEqual({
      config: defaultRepoConfig(),
      warnings: [],
    });
    const lower = parseRepoConfig(
      '{"fix":{"maxMinutes":2},"llm":{"budgets":{"run":1000}}}',
      'selfreview.config.json',
    );
    expect(applyOperatorCaps(lower, caps).config).toEqual(lower);
  });

  it('lowers what a repository asks above the ceilings, one warning each', () => {
    const greedy = parseRepoConfig(
      JSON.stringify({
        fix: {
          maxMinutes: 120,
          test: { timeoutSeconds: 3600 },
          typecheck: { timeoutSeconds: 3600 },
          setup: { timeoutSeconds: 3600 },
        },
        llm: { budgets: { item: 10_000_000, batch: 10_000_000, run: 10_000_000, repoDay: 10_000_000 } },
      }),
      'selfreview.config.json',
    );
    const { config, warnings } = applyOperatorCaps(greedy, caps);
    expect(config.fix.maxMinutes).toBe(30);
    expect(config.fix.test.timeoutSeconds).toBe(1200);
    expect(config.fix.typecheck.timeoutSeconds).toBe(900);
    expect(config.fix.setup.timeoutSeconds).toBe(900);
    expect(config.llm.budgets).toEqual({ item: 40_000, batch: 120_000, run: 800_000, repoDay: 4_000_000 });
    // Everything else is the repository's.
    expect(config.fix.test.scope).toBe(greedy.fix.test.scope);
    expect(warnings).toHaveLength(8);
    expect(warnings).toContain(
      "selfreview.config asks for fix.maxMinutes 120 min, above the operator's ceiling of 30 min: 30 min is used",
    );
    expect(warnings).toContain(
      "selfreview.config asks for llm.budgets.run 10000000 tokens, above the operator's ceiling of 800000 tokens: 800000 tokens is used",
    );
  });

  it("follows the operator's own ceilings", () => {
    const strict = loadConfig({ SELFREVIEW_CAP_FIX_MINUTES: '1', SELFREVIEW_MODEL_CAP_ITEM: '500' });
    const { config, warnings } = applyOperatorCaps(defaultRepoConfig(), strict);
    expect(config.fix.maxMinutes).toBe(1);
    expect(config.llm.budgets.item).toBe(500);
    expect(warnings).toHaveLength(2);
  });
});
