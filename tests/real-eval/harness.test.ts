/**
 * The whole evaluation on a small real repository (the example plus a file with a private
 * helper): copy, inject 3 files' worth of problems, run the real pipeline, score.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, git, makeRepo, removeDir, tempDir, userState } from '../helpers/git.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { type Evaluation, evaluateRepository } from './harness.ts';
import { moduleExports } from './module-shape.ts';
import { renderEvaluation } from './table.ts';

const TAX = `import type { Money } from './money';

function rateFor(currency: string): number {
  return currency === 'KRW' ? 0.1 : 0.2;
}

export function withTax(m: Money): Money {
  const rate = rateFor(m.currency);
  return { amount: m.amount * (1 + rate), currency: m.currency };
}
`;

function evaluate(source: string, files: number, prefix: string, dataDir: string): Promise<Evaluation> {
  return evaluateRepository({
    source,
    seed: 3,
    files,
    timeoutMinutes: 3,
    tsconfig: 'tsconfig.json',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
    },
    progress: () => {},
  });
}

describe('eval:real on a small repository', () => {
  let repo: string;
  let dataDir: string;
  let prefix: string;
  let before: Awaited<ReturnType<typeof userState>>;
  let evaluation: Evaluation;

  beforeAll(async () => {
    repo = await makeRepo(EXAMPLE);
    await writeFile(path.join(repo, 'src/tax.ts'), TAX);
    await git(repo, 'add', 'src/tax.ts');
    await git(repo, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '--quiet', '-m', 'tax');
    before = await userState(repo);
    dataDir = await tempDir();
    prefix = uniquePrefix('real-eval');
    evaluation = await evaluate(repo, 3, prefix, dataDir);
  }, 240_000);

  afterAll(async () => {
    const redis = new Redis(testRedisUrl());
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
    if (evaluation) await removeDir(path.dirname(evaluation.copy));
  });

  it('leaves the evaluated repository as it was', async () => {
    expect(await userState(repo)).toEqual(before);
  });

  it('records each injection at its line of the committed base, in 3 files', async () => {
    expect(evaluation.dropped).toEqual([]);
    expect(new Set(evaluation.manifest.map((m) => m.file)).size).toBe(3);
    expect(evaluation.manifest.length).toBeGreaterThanOrEqual(3);
    for (const entry of evaluation.manifest) {
      const text = await git(evaluation.copy, 'show', `${evaluation.baseSha}:${entry.file}`);
      expect(text.split('\n')[entry.line - 1]).toContain(entry.text);
    }
    // The base is one commit on top of the repository's HEAD, on the same branch name.
    expect(await git(evaluation.copy, 'rev-parse', `${evaluation.baseSha}^`)).toBe(before.head);
    expect(evaluation.baseBranch).toBe('main');
  });

  it('imports only names the imported module really exports', async () => {
    for (const entry of evaluation.manifest.filter((m) => m.kind.endsWith('import'))) {
      const specifier = /from '\.\/(\w+)'/.exec(entry.text)?.[1];
      const file = `src/${specifier}.ts`;
      const text = await git(evaluation.copy, 'show', `${evaluation.baseSha}:${file}`);
      expect(moduleExports({ path: file, text }).map((e) => e.name)).toContain(entry.name);
    }
  });

  it('runs the pipeline to its report and scores the branches', () => {
    expect(evaluation.pipeline).toMatchObject({ exitCode: 0, reportFound: true });
    const { score } = evaluation;
    expect(score.injected).toBe(evaluation.manifest.length);
    expect(score.removed).toBe(score.injections.filter((i) => i.removedOn !== null).length);
    expect(score.recall).toBe(score.removed / score.injected);
    expect(score.pipeline.batches).toBeGreaterThan(0);
    expect(score.branches.length).toBeGreaterThan(0);
    // selfreview's own promises: one commit per branch, at most 2 files, typechecks, base untouched.
    expect(score.malformedBranches).toEqual([]);
    expect(score.brokenBranches).toEqual([]);
    expect(score.baseUntouched).toBe(true);
  });

  it('prints the table with recall', () => {
    const table = renderEvaluation(evaluation);
    expect(table).toMatch(/^\s+removed \(recall\)\s+\d+ \(\d+%\)$/m);
    expect(table).toContain(`injected            ${evaluation.manifest.length} in 3 files`);
  });
});

describe('eval:real without injection (--files 0)', () => {
  it("scores the repository's own findings against its untouched HEAD", async () => {
    const repo = await makeRepo(EXAMPLE);
    const head = (await git(repo, 'rev-parse', 'HEAD')).trim();
    const dataDir = await tempDir();
    const prefix = uniquePrefix('real-eval-0');
    let evaluation: Evaluation | null = null;
    try {
      evaluation = await evaluate(repo, 0, prefix, dataDir);
      expect(evaluation.manifest).toEqual([]);
      expect(evaluation.baseSha).toBe(head);
      // The example's own unused imports are fixed on branches; the copy's HEAD stays where it was.
      expect(evaluation.score.branches.length).toBeGreaterThan(0);
      expect(evaluation.score.baseProblems).toEqual([]);
      expect(evaluation.score.baseUntouched).toBe(true);
      expect(evaluation.score.brokenBranches).toEqual([]);
    } finally {
      const redis = new Redis(testRedisUrl());
      await cleanPrefix(redis, prefix);
      redis.disconnect();
      await removeDir(repo);
      await removeDir(dataDir);
      if (evaluation) await removeDir(path.dirname(evaluation.copy));
    }
  }, 240_000);
});
