import { describe, expect, it } from 'vitest';
import { defaultRepoConfig, parseRepoConfig } from '../src/config.ts';

// No checks registered in this module graph: reading a repository's settings is a programming
// error (the process forgot to load @selfreview/checks), never a silent config without rules.
describe('a repository config before the checks are registered', () => {
  it('is refused with a message that says what to load', () => {
    expect(() => parseRepoConfig('{}', 'selfreview.config.json')).toThrow(/no checks are registered/);
    expect(() => defaultRepoConfig()).toThrow(/@selfreview\/checks/);
  });
});
