import { describe, expect, it } from 'vitest';
import { parsePublishOptions } from '../src/commands/run.ts';

const none = {
  publish: false,
  remote: undefined,
  forge: undefined,
  forgeUrl: undefined,
  tokenEnv: undefined,
};

describe('parsePublishOptions', () => {
  it('publishes nothing unless asked', () => {
    expect(parsePublishOptions(none)).toBeUndefined();
  });

  it('--publish alone pushes to origin and detects the forge from its URL', () => {
    expect(parsePublishOptions({ ...none, publish: true })).toEqual({ remote: 'origin' });
  });

  it('--forge names the project (and implies --publish), with an API URL, remote and token variable', () => {
    expect(
      parsePublishOptions({
        ...none,
        forge: 'gitlab:group/sub/project',
        forgeUrl: 'https://gitlab.example.com',
        remote: 'upstream',
        tokenEnv: 'SELFREVIEW_GITLAB_TOKEN',
      }),
    ).toEqual({
      remote: 'upstream',
      forge: { kind: 'gitlab', project: 'group/sub/project', apiUrl: 'https://gitlab.example.com' },
      tokenEnv: 'SELFREVIEW_GITLAB_TOKEN',
    });
  });

  it.each([
    [
      { ...none, forge: 'bitbucket:o/r' },
      '--forge must be github:OWNER/NAME or gitlab:GROUP/PROJECT, got "bitbucket:o/r"',
    ],
    [{ ...none, forge: 'github:nope' }, '--forge: expected owner/name or group/…/project'],
    [{ ...none, publish: true, remote: '--upload-pack=evil' }, '--remote: expected a remote name'],
    [{ ...none, publish: true, tokenEnv: 'lower' }, '--token-env: expected an environment variable name'],
    [{ ...none, forge: 'github:o/r', forgeUrl: 'ftp://x' }, '--forge-url: Invalid URL'],
    [{ ...none, publish: true, forgeUrl: 'https://x' }, '--forge-url needs --forge KIND:PROJECT'],
    [{ ...none, remote: 'origin' }, '--remote only applies with --publish or --forge'],
  ])('refuses %o with a message naming the option', (opts, message) => {
    expect(() => parsePublishOptions(opts)).toThrow(message);
  });
});
