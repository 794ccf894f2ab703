/**
 * The real-code corpus (tests/real-corpus): CI cannot fetch the repositories, so it checks
 * that the labeled data is well-formed, and runs the evaluation end to end on a tiny local
 * repository labeled the same way.
 */
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type LabeledDecision, RealCorpus } from '@selfreview/apply/real-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeRepo, tempDir } from './helpers/git.ts';
import { evaluateRealCorpus, loadCorpus, type RepoScore } from './real-corpus/evaluation.ts';

describe('the real-code corpus file', () => {
  it('validates, and holds at least 150 decisions over at least 3 repositories', async () => {
    const corpus = await loadCorpus();
    expect(corpus.decisions.length).toBeGreaterThanOrEqual(150);
    const perRepo = new Map<string, number>();
    for (const d of corpus.decisions) perRepo.set(d.repo, (perRepo.get(d.repo) ?? 0) + 1);
    expect(perRepo.size).toBeGreaterThanOrEqual(3);
    expect(corpus.repos.map((r) => r.name).sort()).toEqual([...perRepo.keys()].sort());
  });

  it('labels both ways, and keeps every fix verdict of the sampled runs', async () => {
    const { decisions } = await loadCorpus();
    expect(decisions.some((d) => d.expected === 'fix')).toBe(true);
    expect(decisions.some((d) => d.expected === 'not-fix')).toBe(true);
    expect(
      decisions.filter((d) => d.sampled.verdict === 'fix').every((d) => d.sampled.stratum.startsWith('fix')),
    ).toBe(true);
  });
});

const SHA = 'a'.repeat(40);
const base: LabeledDecision = {
  repo: 'tiny',
  commit: SHA,
  file: 'src/a.ts',
  line: 1,
  rule: 'unused-local',
  name: 'x',
  sampled: { verdict: 'fix', reason: 'unused_local', stratum: 'fix (run 1)' },
  expected: 'fix',
  label: 'dead code',
};
const corpusOf = (decisions: LabeledDecision[]) => ({
  description: 'd',
  sampledOn: '2026-12-01',
  labeledBy: 'test',
  repos: [{ name: 'tiny', url: 'https://example.com/tiny', commit: SHA }],
  decisions,
});

describe('the corpus schema refuses', () => {
  it.each<[string, LabeledDecision[], string]>([
    ['a decision of an unknown repository', [{ ...base, repo: 'other' }], 'unknown repository other'],
    ['a commit other than the pinned one', [{ ...base, commit: 'b'.repeat(40) }], "not tiny's pinned commit"],
    ['the same decision twice', [base, { ...base, label: 'again' }], 'duplicate'],
    ['an excerpt longer than one line', [{ ...base, excerpt: 'a\nb' }], 'one line at most'],
    ['an expectation other than fix or not-fix', [{ ...base, expected: 'drop' as 'fix' }], 'expected'],
  ])('%s', (_what, decisions, message) => {
    const result = RealCorpus.safeParse(corpusOf(decisions));
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});

// A tiny repository with what the real corpus is about: an unused import in a test file
// (fixable), a type test marked with `_` inside it() (never fixable) and an unused local.
const FILES = {
  'tsconfig.json':
    '{"compilerOptions":{"strict":true,"target":"es2022","module":"esnext","moduleResolution":"bundler","types":[]},"include":["src"]}\n',
  'src/util.ts': 'export function double(n: number): number {\n  const leftover = 1;\n  return n * 2;\n}\n',
  'src/util.test.ts': [
    "import { double } from './util';",
    "import { describe, it } from './runner';",
    '',
    "describe('double', () => {",
    "  it('keeps the type', () => {",
    '    function _test(n: number) {',
    '      return n;',
    '    }',
    '  });',
    '});',
    '',
  ].join('\n'),
  'src/runner.ts':
    'export function describe(_name: string, body: () => void): void {\n  body();\n}\nexport function it(_name: string, body: () => void): void {\n  body();\n}\n',
};

describe('evaluating the real corpus on a local checkout', () => {
  let reposDir: string;
  let sha: string;

  beforeAll(async () => {
    reposDir = await tempDir('selfreview-real-');
    const repo = await makeRepo(FILES);
    sha = await git(repo, 'rev-parse', 'HEAD');
    await rename(repo, path.join(reposDir, 'tiny'));
  });
  afterAll(async () => {
    await rm(reposDir, { recursive: true, force: true });
  });

  it('re-runs scan and apply at the pinned commit, scores fix verdicts and names each disagreement', async () => {
    const at = (d: Omit<LabeledDecision, 'repo' | 'commit' | 'sampled'>): LabeledDecision => ({
      ...d,
      repo: 'tiny',
      commit: sha,
      sampled: { verdict: 'fix', reason: 'x', stratum: 'fix (run 1)' },
    });
    const corpus = RealCorpus.parse({
      ...corpusOf([
        at({
          file: 'src/util.test.ts',
          line: 1,
          rule: 'unused-import',
          name: 'double',
          expected: 'fix',
          label: 'unused import',
        }),
        at({
          file: 'src/util.test.ts',
          line: 6,
          rule: 'unused-local',
          name: '_test',
          expected: 'not-fix',
          label: 'type test',
        }),
        // Labeled against what apply does, so that the disagreement report has something to show.
        at({
          file: 'src/util.ts',
          line: 2,
          rule: 'unused-local',
          name: 'leftover',
          expected: 'not-fix',
          label: 'wrong on purpose',
        }),
      ]),
      repos: [
        { name: 'tiny', url: 'https://example.com/tiny', commit: sha },
        { name: 'absent', url: 'https://example.com/absent', commit: SHA },
      ],
    });
    const { outcomes, total } = await evaluateRealCorpus({ corpus, reposDir });
    expect(outcomes.find((o) => o.repo === 'absent')).toEqual({
      repo: 'absent',
      skipped: `no git checkout at ${path.join(reposDir, 'absent')}`,
    });
    const tiny = outcomes.find((o) => o.repo === 'tiny') as RepoScore;
    expect([tiny.truePositives, tiny.falsePositives, tiny.falseNegatives]).toEqual([1, 1, 0]);
    expect(tiny.disagreements.map((d) => `${d.decision.name}: ${d.got}`)).toEqual([
      'leftover: fix unused_local',
    ]);
    expect(tiny.unlabeledFixes).toEqual([]);
    expect(total.precision).toBe(0.5);
  }, 120_000);

  it('skips a checkout that lacks the pinned commit', async () => {
    const corpus = RealCorpus.parse(corpusOf([{ ...base }]));
    const { outcomes } = await evaluateRealCorpus({ corpus, reposDir });
    expect(outcomes).toEqual([
      {
        repo: 'tiny',
        skipped: `${path.join(reposDir, 'tiny')} does not have the pinned commit aaaaaaaaaaaa (fetch it)`,
      },
    ]);
  });
});
