import { describe, expect, it } from 'vitest';
import {
  DEFAULT_API_URL,
  DEFAULT_TOKEN_ENV,
  detectForgeFromRemote,
  type Forge,
  type Proposal,
  type ProposalInput,
  propose,
} from '../src/forges/index.ts';

const github = (project: string) => ({ kind: 'github', project, apiUrl: 'https://api.github.com' });
const gitlab = (project: string) => ({ kind: 'gitlab', project, apiUrl: 'https://gitlab.com' });

describe('detectForgeFromRemote', () => {
  it.each([
    ['https://github.com/o/r', github('o/r')],
    ['https://github.com/o/r.git', github('o/r')],
    ['https://github.com/o/r/', github('o/r')],
    ['https://github.com/my-org/my.repo_2.git', github('my-org/my.repo_2')],
    ['git@github.com:o/r.git', github('o/r')],
    ['git@github.com:o/r', github('o/r')],
    ['ssh://git@github.com/o/r.git', github('o/r')],
    ['  https://GitHub.com/o/r.git\n', github('o/r')],
  ])('%j is GitHub', (url, expected) => {
    expect(detectForgeFromRemote(url)).toEqual(expected);
  });

  it.each([
    ['https://gitlab.com/g/p.git', gitlab('g/p')],
    ['https://gitlab.com/g/sub/p.git', gitlab('g/sub/p')],
    ['https://gitlab.com/g/sub/deeper/p', gitlab('g/sub/deeper/p')],
    ['git@gitlab.com:g/sub/p.git', gitlab('g/sub/p')],
    ['ssh://git@gitlab.com/g/sub/p.git', gitlab('g/sub/p')],
  ])('%j is GitLab', (url, expected) => {
    expect(detectForgeFromRemote(url)).toEqual(expected);
  });

  it('drops credentials from an https remote', () => {
    expect(detectForgeFromRemote('https://user:pw@github.com/o/r.git')).toEqual(github('o/r'));
    expect(detectForgeFromRemote('https://oauth2:not-a-token@gitlab.com/g/sub/p.git')).toEqual(
      gitlab('g/sub/p'),
    );
    expect(
      JSON.stringify(detectForgeFromRemote('https://x-access-token:s3cret@github.com/o/r')),
    ).not.toContain('s3cret');
  });

  it.each([
    '/srv/git/r.git',
    './r',
    'file:///x',
    'file:///srv/git/r.git',
    'https://example.com/o/r.git',
    'git@example.com:o/r.git',
    'https://gitlab.example.com/g/p.git',
    'https://github.com.evil.example/o/r.git',
    'git@github.com:o',
    'https://github.com/o',
    'https://github.com/o/r/pulls',
    'https://github.com/o/r.git?x=1',
    'http://github.com/o/r.git',
    'git://github.com/o/r.git',
    'https://github.com:8443/o/r.git',
    'https://gitlab.com/g',
    'https://gitlab.com/g/p/-/tree/main',
    'https://github.com/o/../r',
    'C:\\repos\\r',
    '',
  ])('%j is not a known forge', (url) => {
    expect(detectForgeFromRemote(url)).toBeNull();
  });
});

describe('forge defaults', () => {
  it('point at the public instances and the usual token variables', () => {
    expect(DEFAULT_API_URL).toEqual({ github: 'https://api.github.com', gitlab: 'https://gitlab.com' });
    expect(DEFAULT_TOKEN_ENV).toEqual({ github: 'GITHUB_TOKEN', gitlab: 'GITLAB_TOKEN' });
  });
});

/** Records the calls `propose` makes; `open` proposals are kept so a later `findOpen` sees them. */
function recordingForge() {
  const calls: string[] = [];
  const open = new Map<string, Proposal>();
  const forge: Forge = {
    kind: 'github',
    async findOpen(branch) {
      calls.push(`findOpen ${branch}`);
      return open.get(branch) ?? null;
    },
    async open(input) {
      calls.push(`open ${input.branch}`);
      const p = { number: open.size + 1, url: `u/${open.size + 1}` };
      open.set(input.branch, p);
      return p;
    },
    async update(number, input) {
      calls.push(`update ${number} ${input.labels.join(',')}`);
    },
  };
  return { forge, calls };
}

describe('propose', () => {
  const input: ProposalInput = { branch: 'b', base: 'main', title: 't', body: 'x', labels: ['selfreview:a'] };

  it('opens when nothing is open for the branch, and updates the open one after that', async () => {
    const { forge, calls } = recordingForge();
    expect(await propose(forge, input)).toEqual({ number: 1, url: 'u/1', reused: false });
    expect(await propose(forge, { ...input, labels: ['selfreview:b'] })).toEqual({
      number: 1,
      url: 'u/1',
      reused: true,
    });
    expect(calls).toEqual(['findOpen b', 'open b', 'findOpen b', 'update 1 selfreview:b']);
  });
});
