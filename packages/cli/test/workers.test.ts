import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entryPointOf, nodeArgs, type ProcessName, processEnv } from '../src/workers.ts';

const FROM = {
  PATH: '/usr/bin',
  HOME: '/home/ops',
  SELFREVIEW_PREFIX: 'sr',
  LOG_LEVEL: 'debug',
  REDIS_URL: 'redis://:pw@127.0.0.1:6379',
  ANTHROPIC_API_KEY: 'model-key',
  GITHUB_TOKEN: 'forge-token',
  // A token under a SELFREVIEW_ name is still a token: it goes to the publisher only.
  SELFREVIEW_GL_TOKEN: 'forge-token-2',
  WEB_WEBHOOK_SECRET: 'hook-secret',
  SELFREVIEW_UI_USER: 'ops',
  SELFREVIEW_UI_PASSWORD: 'ui-password',
  SLACK_WEBHOOK_URL: 'https://hooks.example/T0/B0/x',
  AWS_SECRET_ACCESS_KEY: 'unrelated-secret',
  EDITOR: 'vim',
};
const SECRETS = {
  model: ['ANTHROPIC_API_KEY'],
  forge: ['GITHUB_TOKEN', 'SELFREVIEW_GL_TOKEN'],
  gateway: ['WEB_WEBHOOK_SECRET'],
  notify: ['SLACK_WEBHOOK_URL'],
};
const env = (name: ProcessName) =>
  processEnv(name, { from: FROM, common: { SELFREVIEW_DATA_DIR: '/data' }, secrets: SECRETS });
const secretKeys = (name: ProcessName) =>
  Object.keys(env(name))
    .filter((k) => /KEY|TOKEN|SECRET|PASSWORD|USER|WEBHOOK/.test(k))
    .sort();

describe('processEnv', () => {
  it('gives every process the settings and the basics, never an unrelated variable', () => {
    for (const name of ['scan', 'apply', 'fix', 'publish', 'gateway'] as const) {
      expect(env(name)).toMatchObject({
        PATH: '/usr/bin',
        HOME: '/home/ops',
        SELFREVIEW_PREFIX: 'sr',
        SELFREVIEW_DATA_DIR: '/data',
        LOG_LEVEL: 'debug',
        REDIS_URL: FROM.REDIS_URL,
      });
      expect(env(name)).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
      expect(env(name)).not.toHaveProperty('EDITOR');
    }
  });

  it('gives each process only the secrets of its role', () => {
    expect(secretKeys('scan')).toEqual(['SLACK_WEBHOOK_URL']);
    expect(secretKeys('apply')).toEqual(['ANTHROPIC_API_KEY', 'SLACK_WEBHOOK_URL']);
    // The fix worker runs repository code: no forge token, whatever its name.
    expect(secretKeys('fix')).toEqual(['ANTHROPIC_API_KEY', 'SLACK_WEBHOOK_URL']);
    expect(secretKeys('publish')).toEqual(['GITHUB_TOKEN', 'SELFREVIEW_GL_TOKEN', 'SLACK_WEBHOOK_URL']);
    expect(secretKeys('gateway')).toEqual([
      'SELFREVIEW_UI_PASSWORD',
      'SELFREVIEW_UI_USER',
      'WEB_WEBHOOK_SECRET',
    ]);
    expect(JSON.stringify(env('fix'))).not.toContain('forge-token');
  });

  it('what the command decides wins over the shell', () => {
    const e = processEnv('fix', {
      from: FROM,
      common: { REDIS_URL: 'redis://127.0.0.1:7000' },
      secrets: SECRETS,
    });
    expect(e.REDIS_URL).toBe('redis://127.0.0.1:7000');
  });
});

describe('entryPointOf', () => {
  const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

  it.each([
    ['gateway', 'services/gateway/src/main.ts'],
    ['scan', 'services/scan/src/main.ts'],
    ['apply', 'services/apply/src/main.ts'],
    ['fix', 'services/fix/src/main.ts'],
    ['publish', 'services/fix/src/publish-main.ts'],
  ] as const)('starts %s from the entry its package declares (%s)', (name, file) => {
    expect(entryPointOf(name)).toBe(`${ROOT}${file}`);
  });
});

describe('nodeArgs', () => {
  it('starts built JavaScript as it is', () => {
    expect(nodeArgs('/r/services/scan/dist/main.js')).toEqual(['/r/services/scan/dist/main.js']);
  });

  it("starts TypeScript sources through tsx, importing the other packages' sources", () => {
    const [conditions, flag, loader, entry] = nodeArgs('/r/services/scan/src/main.ts');
    expect([conditions, flag, entry]).toEqual([
      '--conditions=source',
      '--import',
      '/r/services/scan/src/main.ts',
    ]);
    expect(loader).toMatch(/\/tsx\/dist\/loader\.[cm]?js$/);
  });
});
