import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  findRepository,
  normalizeRepoUrl,
  parseServerConfig,
  repoTarget,
  secretEnvNames,
} from '../src/server-config.ts';

const EXAMPLE = new URL('../../../infra/selfreview.server.example.yaml', import.meta.url);

describe('server configuration', () => {
  it('parses the example in infra/', async () => {
    const config = parseServerConfig(await readFile(EXAMPLE, 'utf8'), 'selfreview.server.example.yaml');
    expect(config.repositories.map((r) => r.name)).toEqual(['web', 'tools']);
    expect(config.notify).toEqual({ webhookUrlEnv: 'SLACK_WEBHOOK_URL' });
    expect(config.repositories[0]?.publish).toEqual({
      remote: 'origin',
      forge: { kind: 'github', project: 'acme/web' },
      tokenEnv: 'GITHUB_TOKEN',
    });
    // Trigger jobs name the repository; its publish settings stay with the publisher.
    expect(repoTarget(config.repositories[0] as never)).toEqual({
      name: 'web',
      url: 'https://github.com/acme/web.git',
      branch: 'main',
    });
  });

  it('names the secret variables by who needs them', async () => {
    const config = parseServerConfig(await readFile(EXAMPLE, 'utf8'), 'selfreview.server.example.yaml');
    expect(secretEnvNames(config)).toEqual({
      forge: ['GITHUB_TOKEN'],
      webhooks: ['TOOLS_WEBHOOK_TOKEN', 'WEB_WEBHOOK_SECRET'],
      notify: ['SLACK_WEBHOOK_URL'],
    });
    // Without a named variable the forge may be detected from the remote later: both defaults.
    const bare = parseServerConfig('repositories:\n  - { name: a, path: /x, publish: {} }\n', 's.yaml');
    expect(secretEnvNames(bare).forge).toEqual(['GITHUB_TOKEN', 'GITLAB_TOKEN']);
  });

  it.each([
    ['repositories:\n  - name: a\n', /repositories\.0: give exactly one of path and url/],
    [
      'repositories:\n  - name: a\n    path: /x\n    url: https://h/o/r.git\n',
      /give exactly one of path and url/,
    ],
    ['repositories:\n  - name: a\n    path: relative\n', /repositories\.0\.path: expected an absolute path/],
    [
      'repositories:\n  - name: a\n    path: /x\n    schedule: every day\n',
      /repositories\.0\.schedule: expected a cron expression/,
    ],
    [
      'repositories:\n  - name: a\n    path: /x\n    schedule: "61 3 * * *"\n',
      /^s\.yaml: repositories\.0\.schedule: BullMQ cannot run "61 3 \* \* \*": Constraint error, got value 61 expected range 0-59$/,
    ],
    [
      'repositories:\n  - name: a\n    path: /x\n    schedule: "0 3 * * *"\n    timezone: Mars/Olympus\n',
      /^s\.yaml: repositories\.0\.timezone: unknown time zone "Mars\/Olympus": expected an IANA name such as "Europe\/Berlin" or "UTC"$/,
    ],
    [
      'repositories:\n  - name: a\n    path: /x\n    webhooks: { github: { secretEnv: my-secret } }\n',
      /secretEnv: expected an environment variable name/,
    ],
    [
      'repositories:\n  - { name: a, path: /x }\n  - { name: a, path: /y }\n',
      /repositories\.1\.name: duplicate name a/,
    ],
    [
      'repositories:\n  - name: a\n    path: /x\n    colour: blue\n',
      /repositories\.0: Unrecognized key: "colour"/,
    ],
    ['repositories: [', /not valid YAML/],
    [
      'repositories:\n  - name: a\n    path: /x\n    publish: { remote: "--upload-pack=evil" }\n',
      /publish\.remote: expected a remote name/,
    ],
    [
      'repositories:\n  - name: a\n    path: /x\n    publish: { forge: { kind: github, project: o/r, apiUrl: "file:///etc" } }\n',
      /publish\.forge\.apiUrl/,
    ],
  ])('refuses %j naming the key', (text, message) => {
    expect(() => parseServerConfig(text, 's.yaml')).toThrow(message);
  });

  it('recognises a repository by any of its URLs, or by its project for a local path', () => {
    expect(normalizeRepoUrl('https://user:pw@GitHub.com/Acme/Web.git/')).toBe('github.com/acme/web');
    expect(normalizeRepoUrl('git@github.com:acme/web.git')).toBe('github.com/acme/web');
    expect(normalizeRepoUrl('ssh://git@github.com/acme/web')).toBe('github.com/acme/web');
    const config = parseServerConfig(
      'repositories:\n  - { name: web, url: "git@github.com:acme/web.git" }\n  - { name: tools, path: /srv/tools, project: platform/tools }\n',
      's.yaml',
    );
    expect(
      findRepository(config, { fullName: 'acme/web', urls: ['https://github.com/acme/web'] })?.name,
    ).toBe('web');
    expect(findRepository(config, { fullName: 'Platform/Tools', urls: [] })?.name).toBe('tools');
    expect(
      findRepository(config, { fullName: 'acme/other', urls: ['https://github.com/acme/other'] }),
    ).toBeUndefined();
  });
});
