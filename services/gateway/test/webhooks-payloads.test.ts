import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  githubEventStartsWork,
  gitlabEventStartsWork,
  type PushEvent,
  parseGitHubPush,
  parseGitLabPush,
} from '../src/webhooks/payloads.ts';

// The examples package lives in the `tests` workspace; its own types need @octokit/webhooks-types,
// so only the shape read here is declared.
type ExampleCommit = { added?: string[]; modified?: string[]; removed?: string[] };
type ExamplePush = {
  ref: string;
  before: string;
  after: string;
  deleted: boolean;
  forced: boolean;
  commits: ExampleCommit[];
  repository: { full_name: string; clone_url: string; ssh_url: string; html_url: string };
};
type WebhookDefinition = { name: string; examples: unknown[] };

const requireFromTests = createRequire(new URL('../../../tests/package.json', import.meta.url));
const definitions = requireFromTests(
  requireFromTests.resolve('@octokit/webhooks-examples/api.github.com/index.json'),
) as WebhookDefinition[];
const pushExamples = definitions.filter((d) => d.name === 'push').flatMap((d) => d.examples as ExamplePush[]);
const otherEvents = definitions.filter((d) => d.name !== 'push');

const ZERO = '0'.repeat(40);

describe('GitHub push examples (@octokit/webhooks-examples)', () => {
  it('has branch and tag pushes to check', () => {
    expect(pushExamples.some((e) => e.ref.startsWith('refs/heads/'))).toBe(true);
    expect(pushExamples.some((e) => e.ref.startsWith('refs/tags/'))).toBe(true);
    expect(otherEvents.length).toBeGreaterThan(0);
  });

  it.each(pushExamples.map((example, i) => [i, example.ref, example] as const))(
    'push example %i (%s) parses to null exactly when it is a tag push',
    (_i, ref, example) => {
      const event = parseGitHubPush(example);
      if (ref.startsWith('refs/tags/')) {
        expect(event).toBeNull();
        return;
      }
      const removed = new Set(example.commits.flatMap((c) => c.removed ?? []));
      const files = [
        ...new Set(example.commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? [])])),
      ].filter((f) => !removed.has(f));
      const deleted = example.deleted || /^0+$/.test(example.after);
      expect(event).toEqual<PushEvent>({
        repository: { fullName: example.repository.full_name, urls: expect.any(Array) },
        branch: ref.slice('refs/heads/'.length),
        before: example.before,
        after: example.after,
        files: deleted ? [] : files.sort(),
        deletedBranch: deleted,
        forced: example.forced,
        truncated: !deleted && example.commits.length >= 20,
      });
      expect(event?.repository.urls).toEqual(
        expect.arrayContaining([
          example.repository.clone_url,
          example.repository.ssh_url,
          example.repository.html_url,
        ]),
      );
    },
  );

  it.each(otherEvents.map((d) => [d.name, d] as const))(
    '%s: does not start work, and none of its examples parses as a push',
    (name, definition) => {
      expect(githubEventStartsWork(name)).toBe(false);
      expect(definition.examples.length).toBeGreaterThan(0);
      for (const example of definition.examples) expect(parseGitHubPush(example)).toBeNull();
    },
  );

  it('only push starts work', () => {
    expect(githubEventStartsWork('push')).toBe(true);
    expect(githubEventStartsWork(undefined)).toBe(false);
    expect(githubEventStartsWork('Push')).toBe(false);
    expect(githubEventStartsWork('')).toBe(false);
  });
});

describe('parseGitHubPush', () => {
  const base = pushExamples.find((e) => e.ref === 'refs/heads/master');
  if (base === undefined) throw new Error('no branch push among the examples');
  const commit = (id: string, files: ExampleCommit) => ({
    id,
    added: [],
    modified: [],
    removed: [],
    ...files,
  });

  it('keeps only files present after the push, sorted and deduplicated', () => {
    const event = parseGitHubPush({
      ...base,
      before: 'a'.repeat(40),
      commits: [
        commit('1', { added: ['src/b.ts', 'tmp.txt', 'gone.ts'], modified: ['README.md'] }),
        commit('2', { modified: ['src/b.ts', 'README.md'], removed: ['tmp.txt', 'old.ts'] }),
        commit('3', { added: ['src/a.ts'], removed: ['gone.ts'] }),
        commit('4', { added: ['gone.ts'] }),
      ],
    });
    expect(event?.files).toEqual(['README.md', 'gone.ts', 'src/a.ts', 'src/b.ts']);
    expect(event?.truncated).toBe(false);
  });

  it('marks a 20-commit list as truncated', () => {
    const commits = Array.from({ length: 20 }, (_, i) => commit(String(i), { modified: [`f${i % 3}.ts`] }));
    expect(parseGitHubPush({ ...base, commits })).toMatchObject({
      files: ['f0.ts', 'f1.ts', 'f2.ts'],
      truncated: true,
    });
    expect(parseGitHubPush({ ...base, commits: commits.slice(1) })?.truncated).toBe(false);
  });

  it('reports branch deletion and forced pushes', () => {
    expect(parseGitHubPush({ ...base, after: ZERO, deleted: true, commits: [] })).toMatchObject({
      deletedBranch: true,
      files: [],
      truncated: false,
    });
    expect(parseGitHubPush({ ...base, forced: true })?.forced).toBe(true);
  });

  it('keeps slashes in branch names', () => {
    expect(parseGitHubPush({ ...base, ref: 'refs/heads/feature/x/y' })?.branch).toBe('feature/x/y');
  });

  it.each([
    ['null', null],
    ['a string', 'push'],
    ['an empty object', {}],
    ['a tag ref', { ...base, ref: 'refs/tags/v1' }],
    ['a bare branch name', { ...base, ref: 'master' }],
    ['an empty branch', { ...base, ref: 'refs/heads/' }],
    ['a non-sha after', { ...base, after: 'HEAD' }],
    ['no repository', { ...base, repository: undefined }],
    ['commits that are not a list', { ...base, commits: 'many' }],
  ])('returns null for %s', (_name, payload) => {
    expect(parseGitHubPush(payload)).toBeNull();
  });
});

describe('parseGitLabPush', () => {
  const project = {
    id: 15,
    name: 'Diaspora',
    description: '',
    web_url: 'https://gitlab.example.com/mike/tools/diaspora',
    avatar_url: null,
    git_ssh_url: 'git@gitlab.example.com:mike/tools/diaspora.git',
    git_http_url: 'https://gitlab.example.com/mike/tools/diaspora.git',
    namespace: 'tools',
    visibility_level: 0,
    path_with_namespace: 'mike/tools/diaspora',
    default_branch: 'main',
    ci_config_path: null,
    homepage: 'https://gitlab.example.com/mike/tools/diaspora',
    url: 'git@gitlab.example.com:mike/tools/diaspora.git',
    ssh_url: 'git@gitlab.example.com:mike/tools/diaspora.git',
    http_url: 'https://gitlab.example.com/mike/tools/diaspora.git',
  };
  const repository = {
    name: 'Diaspora',
    url: 'git@gitlab.example.com:mike/tools/diaspora.git',
    description: '',
    homepage: 'https://gitlab.example.com/mike/tools/diaspora',
    git_http_url: 'https://gitlab.example.com/mike/tools/diaspora.git',
    git_ssh_url: 'git@gitlab.example.com:mike/tools/diaspora.git',
    visibility_level: 0,
  };
  const author = { name: 'Jordi Mallach', email: 'jordi@softcatala.org' };
  const push = {
    object_kind: 'push',
    event_name: 'push',
    before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
    after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    ref: 'refs/heads/feature/login',
    ref_protected: false,
    checkout_sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    message: null,
    user_id: 4,
    user_name: 'John Smith',
    user_username: 'jsmith',
    user_email: '',
    user_avatar: 'https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80',
    project_id: 15,
    project,
    commits: [
      {
        id: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
        message: 'Add login form\n',
        title: 'Add login form',
        timestamp: '2024-03-12T14:27:31+02:00',
        url: 'https://gitlab.example.com/mike/tools/diaspora/-/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
        author,
        added: ['src/login.ts', 'src/login.css'],
        modified: ['src/app.ts'],
        removed: ['src/old-login.ts'],
      },
      {
        id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        message: 'Drop the stylesheet, tidy app\n',
        title: 'Drop the stylesheet, tidy app',
        timestamp: '2024-03-12T15:02:10+02:00',
        url: 'https://gitlab.example.com/mike/tools/diaspora/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        author,
        added: [],
        modified: ['src/app.ts', 'src/login.ts'],
        removed: ['src/login.css'],
      },
    ],
    total_commits_count: 2,
    push_options: {},
    repository,
  };

  it('parses a branch push', () => {
    expect(parseGitLabPush(push)).toEqual<PushEvent>({
      repository: {
        fullName: 'mike/tools/diaspora',
        urls: [
          'https://gitlab.example.com/mike/tools/diaspora.git',
          'git@gitlab.example.com:mike/tools/diaspora.git',
          'https://gitlab.example.com/mike/tools/diaspora',
        ],
      },
      branch: 'feature/login',
      before: push.before,
      after: push.after,
      files: ['src/app.ts', 'src/login.ts'],
      deletedBranch: false,
      forced: false,
      truncated: false,
    });
    expect(gitlabEventStartsWork('Push Hook')).toBe(true);
  });

  it('marks a push with more commits than listed as truncated', () => {
    const commits = Array.from({ length: 20 }, (_, i) => ({
      id: i.toString(16).padStart(40, 'c'),
      message: `Commit ${i}\n`,
      title: `Commit ${i}`,
      timestamp: '2024-03-13T09:00:00+00:00',
      url: `https://gitlab.example.com/mike/tools/diaspora/-/commit/${i.toString(16).padStart(40, 'c')}`,
      author,
      added: [],
      modified: [`docs/page-${i % 2}.md`],
      removed: [],
    }));
    const event = parseGitLabPush({
      ...push,
      ref: 'refs/heads/main',
      after: commits[19]?.id,
      checkout_sha: commits[19]?.id,
      commits,
      total_commits_count: 57,
    });
    expect(event).toMatchObject({
      branch: 'main',
      files: ['docs/page-0.md', 'docs/page-1.md'],
      truncated: true,
    });
    expect(parseGitLabPush({ ...push, total_commits_count: 2 })?.truncated).toBe(false);
    expect(parseGitLabPush({ ...push, total_commits_count: 3 })?.truncated).toBe(true);
  });

  it('parses a branch deletion', () => {
    const event = parseGitLabPush({
      ...push,
      before: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      after: ZERO,
      checkout_sha: null,
      commits: [],
      total_commits_count: 0,
    });
    expect(event).toMatchObject({ branch: 'feature/login', after: ZERO, deletedBranch: true, files: [] });
    expect(event?.truncated).toBe(false);
  });

  it('returns null for a tag push', () => {
    const tagPush = {
      object_kind: 'tag_push',
      event_name: 'tag_push',
      before: ZERO,
      after: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
      ref: 'refs/tags/v1.0.0',
      ref_protected: true,
      checkout_sha: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
      message: 'Tag message',
      user_id: 1,
      user_name: 'John Smith',
      user_avatar:
        'https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80',
      project_id: 1,
      project,
      commits: [],
      total_commits_count: 0,
      push_options: {},
      repository,
    };
    expect(parseGitLabPush(tagPush)).toBeNull();
    expect(parseGitLabPush({ ...tagPush, object_kind: 'push' })).toBeNull();
    expect(gitlabEventStartsWork('Tag Push Hook')).toBe(false);
  });

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['another kind', { ...push, object_kind: 'merge_request' }],
    ['no project', { ...push, project: undefined }],
    ['a non-sha before', { ...push, before: 'main' }],
    ['a negative commit count', { ...push, total_commits_count: -1 }],
  ])('returns null for %s', (_name, payload) => {
    expect(parseGitLabPush(payload)).toBeNull();
  });

  it.each([undefined, '', 'push', 'Tag Push Hook', 'Merge Request Hook', 'System Hook'])(
    'header %j does not start work',
    (header) => {
      expect(gitlabEventStartsWork(header)).toBe(false);
    },
  );
});
