/** selfreview.config's `rules`, as the registry assembles it from each check's options. */
import { defaultRepoConfig, parseRepoConfig } from '@selfreview/shared/config';
import { ConfigError } from '@selfreview/shared/errors';
import { describe, expect, it } from 'vitest';
import { checkOptions, enabledChecks, testFileGlobs } from '../src/registry.ts';

const DEFAULT_RULES = {
  'unused-import': { enabled: true },
  'unused-local': { enabled: true },
  'unused-parameter': { enabled: true },
  'undefined-identifier': { enabled: true },
  'todo-comment': { enabled: true },
  'long-function': { enabled: true, maxLines: 80 },
  'deep-nesting': { enabled: true, maxDepth: 4 },
  'untested-export': { enabled: true, testFiles: [] },
};

function configErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('rules in selfreview.config', () => {
  it.each([
    ['selfreview.config.json', '{}'],
    ['selfreview.config.yaml', ''],
    ['selfreview.config.json', 'null'],
  ])('has every check on with its defaults for %s containing %j', (fileName, text) => {
    expect(parseRepoConfig(text, fileName).rules).toEqual(DEFAULT_RULES);
    expect(defaultRepoConfig().rules).toEqual(DEFAULT_RULES);
  });

  it('keeps the defaults of the checks and options it leaves out', () => {
    const text = JSON.stringify({
      rules: { 'todo-comment': { enabled: false }, 'long-function': { maxLines: 120 } },
    });
    expect(parseRepoConfig(text, 'selfreview.config.json').rules).toEqual({
      ...DEFAULT_RULES,
      'todo-comment': { enabled: false },
      'long-function': { enabled: true, maxLines: 120 },
    });
  });

  it.each([
    [
      '{"rules":{"todo-comment":{"enabled":"no"}}}',
      'rules.todo-comment.enabled: Invalid input: expected boolean, received string',
    ],
    [
      '{"rules":{"deep-nesting":{"maxDepth":0}}}',
      'rules.deep-nesting.maxDepth: Too small: expected number to be >=1',
    ],
    ['{"rules":{"no-such-rule":{}}}', 'rules: Unrecognized key: "no-such-rule"'],
    [
      '{"rules":{"unused-import":{"enabled":true,"level":2}}}',
      'rules.unused-import: Unrecognized key: "level"',
    ],
    [
      '{"rules":{"untested-export":{"testFiles":[""]}}}',
      'rules.untested-export.testFiles.0: Too small: expected string to have >=1 characters',
    ],
  ])('refuses %s naming the file and the dotted key path', (text, detail) => {
    expect(configErrorMessage(() => parseRepoConfig(text, 'selfreview.config.json'))).toBe(
      `selfreview.config.json: ${detail}`,
    );
  });

  it('gives the scan the checks left on, their options and the test globs', () => {
    const config = parseRepoConfig(
      'rules:\n  todo-comment:\n    enabled: false\n  untested-export:\n    testFiles: ["spec/**"]\n',
      'selfreview.config.yaml',
    );
    expect(enabledChecks(config)).toEqual([
      'unused-import',
      'unused-local',
      'unused-parameter',
      'undefined-identifier',
      'long-function',
      'deep-nesting',
      'untested-export',
    ]);
    expect(checkOptions(config)).toMatchObject({
      'long-function': { maxLines: 80 },
      'deep-nesting': { maxDepth: 4 },
      'untested-export': { testFiles: ['spec/**'] },
      'todo-comment': {},
    });
    expect(testFileGlobs(config)).toEqual(['spec/**']);
  });
});
