import { parseServerConfig } from '@selfreview/shared/server-config';
import { describe, expect, it } from 'vitest';
import { repositoriesNamed, secretOf, sharedSecrets } from '../src/webhooks/binding.ts';

const config = parseServerConfig(
  [
    'repositories:',
    '  - name: web',
    '    url: https://github.com/Octo/Web.git',
    '    webhooks: { github: { secretEnv: WEB_SECRET } }',
    '  - name: web-release',
    '    url: git@github.com:octo/web.git',
    '    branch: release',
    '    webhooks: { github: { secretEnv: WEB_SECRET } }',
    '  - name: lab',
    '    path: /srv/lab',
    '    project: group/sub/lab',
    '    webhooks: { gitlab: { tokenEnv: LAB_TOKEN } }',
    '  - name: quiet',
    '    path: /srv/quiet',
    '    project: octo/quiet',
    '    webhooks: { github: { secretEnv: UNSET_SECRET } }',
    '',
  ].join('\n'),
  'selfreview.server.yaml',
);
const env = { WEB_SECRET: 'w', LAB_TOKEN: 'l', UNSET_SECRET: '' };

describe('webhook binding', () => {
  it('finds the repositories a project name means: by clone URL path (https or scp), or by project', () => {
    expect(repositoriesNamed(config, 'octo/web').map((r) => r.name)).toEqual(['web', 'web-release']);
    expect(repositoriesNamed(config, 'GROUP/sub/lab').map((r) => r.name)).toEqual(['lab']);
    expect(repositoriesNamed(config, 'group/lab')).toEqual([]);
    expect(repositoriesNamed(config, 'github.com/octo/web')).toEqual([]);
    expect(repositoriesNamed(config, 'octo')).toEqual([]);
  });

  it("looks a repository's secret up for its own forge only; an empty variable is no secret", () => {
    const [web, , lab, quiet] = config.repositories;
    expect(secretOf(web!, 'github', env)).toBe('w');
    expect(secretOf(web!, 'gitlab', env)).toBeUndefined();
    expect(secretOf(lab!, 'gitlab', env)).toBe('l');
    expect(secretOf(quiet!, 'github', env)).toBeUndefined();
    expect(secretOf(web!, 'github', {})).toBeUndefined();
  });

  it('names the repositories that share one secret', () => {
    expect(sharedSecrets(config, 'github', env)).toEqual([['web', 'web-release']]);
    expect(sharedSecrets(config, 'gitlab', env)).toEqual([]);
  });
});
