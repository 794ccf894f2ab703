/**
 * Fix on the tests real repositories have, each as a small repository: tests that fail at the
 * base commit, tests that a fix breaks, and a vitest suite of which only the related tests run
 * (also with vite's caches already in the installed node_modules), or none when the change
 * compiles to the same JavaScript. Each batch must verify against the base commit and commit
 * what it newly breaks nothing in. The repositories' layouts are in fix-real-shapes.test.ts.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkVitest, STRICT, shapesTestBed, unusedImportItem, unusedLocal } from './helpers/fix-shapes.ts';
import { git, makeRepo } from './helpers/git.ts';

describe('fix on the shapes of real repositories', () => {
  const { runs, run } = shapesTestBed();

  it('commits a fix whose tests fail at the base as well, saying the tests are unavailable', async () => {
    const repo = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: STRICT, files: ['src/a.ts'] }),
      'src/a.ts': 'export function height(): number {\n  const spare = 2;\n  return 3;\n}\n',
      'package.json': JSON.stringify({ scripts: { test: 'node -e "process.exit(3)"' } }),
    });
    const { results, warnings } = await run(repo, 'basefail', [
      { file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'spare', 2, '2')] },
    ]);
    expect(results).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'unavailable' } },
    ]);
    expect(results[0]?.reason).toMatch(/tests not run: tests fail at the base commit too/);
    expect(warnings.join('\n')).toMatch(/^tests fail at the base commit too: tests failed \(exit 3\)/m);
  });

  it('fails a fix whose tests pass at the base and fail after it', async () => {
    const repo = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: STRICT, files: ['src/a.ts'] }),
      // The test greps the source for the local: removing it is a (contrived) behaviour change.
      'src/a.ts': 'export function height(): number {\n  const spare = 2;\n  return 3;\n}\n',
      'package.json': JSON.stringify({
        scripts: {
          test: "node -e \"if(!require('fs').readFileSync('src/a.ts','utf8').includes('spare'))process.exit(1)\"",
        },
      }),
    });
    const { results } = await run(repo, 'testbreak', [
      { file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'spare', 2, '2')] },
    ]).catch((err: Error) => ({ results: [], err }));
    // Every file failed: the job fails (for an operator), and the run records the reason.
    expect(results).toEqual([]);
    const recorded = await runs.fixResults('run-testbreak');
    expect(recorded).toMatchObject([
      { status: 'failed', verification: { typecheck: 'pass', tests: 'fail' } },
    ]);
  });

  it('runs only the vitest tests related to the changed file, judged test by test against the base', async () => {
    const repo = await makeRepo({
      '.gitignore': 'node_modules/\n',
      'package.json': JSON.stringify({ type: 'module', scripts: { test: 'vitest run' } }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true },
        files: ['src/a.ts'],
      }),
      'src/a.ts': 'export function height(): number {\n  const spare = [2];\n  return 3;\n}\n',
      'src/a.test.ts':
        "import { expect, it } from 'vitest';\nimport { height } from './a.ts';\nit('is three', () => expect(height()).toBe(3));\nit('was always broken', () => expect(1).toBe(2));\n",
      // Unrelated to a.ts, and failing: a whole-suite run would blame the fix for it.
      'src/b.test.ts': "import { expect, it } from 'vitest';\nit('fails', () => expect(true).toBe(false));\n",
    });
    await linkVitest(repo);

    const { results } = await run(repo, 'related', [
      { file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'spare', 2, '[2]')] },
    ]);
    expect(results).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'pass' } },
    ]);
    expect(results[0]?.reason).not.toMatch(/tests not run/);
  });

  it('runs vitest with a config file when the installed node_modules already holds vite caches (vite writes its bundled config there)', async () => {
    const repo = await makeRepo({
      '.gitignore': 'node_modules/\n',
      'package.json': JSON.stringify({ type: 'module', scripts: { test: 'vitest run' } }),
      'vitest.config.ts':
        "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['src/**/*.test.ts'] } });\n",
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true },
        files: ['src/a.ts'],
      }),
      'src/a.ts': 'export function height(): number {\n  const spare = [2];\n  return 3;\n}\n',
      'src/a.test.ts':
        "import { expect, it } from 'vitest';\nimport { height } from './a.ts';\nit('is three', () => expect(height()).toBe(3));\n",
    });
    // As after the user's own `vitest` runs: the caches exist in the installed folder, which
    // the sandbox shows read-only (and, as root, to another user).
    for (const dir of ['.bin', '.vite-temp', '.vite/vitest'])
      await mkdir(path.join(repo, 'node_modules', dir), { recursive: true });
    await linkVitest(repo);

    const { results } = await run(repo, 'related', [
      { file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'spare', 2, '[2]')] },
    ]);
    expect(results).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'pass' } },
    ]);
    expect(await readdir(path.join(repo, 'node_modules', '.vite-temp'))).toEqual([]);
  });

  /** A vitest repository whose a.ts imports `width` without using it; `verbatim` keeps every import in emit. */
  async function repoWithUnusedImport(verbatim: boolean) {
    const repo = await makeRepo({
      '.gitignore': 'node_modules/\n',
      'package.json': JSON.stringify({ type: 'module', scripts: { test: 'vitest run' } }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          ...STRICT,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          skipLibCheck: true,
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: verbatim,
        },
        files: ['src/a.ts', 'src/b.ts'],
      }),
      'src/b.ts': 'export const width = 4;\n',
      'src/a.ts': "import { width } from './b.ts';\nexport function height(): number {\n  return 3;\n}\n",
      'src/a.test.ts':
        "import { expect, it } from 'vitest';\nimport { height } from './a.ts';\nit('is three', () => expect(height()).toBe(3));\n",
    });
    await linkVitest(repo);
    return repo;
  }

  it('does not run tests for a change that compiles to the same JavaScript, and says so', async () => {
    const repo = await repoWithUnusedImport(false);
    const { results } = await run(repo, 'same-emit', [
      { file: 'src/a.ts', items: [unusedImportItem('src/a.ts', 'width', 1, './b.ts')] },
    ]);
    expect(results).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'skipped' } },
    ]);
    expect(results[0]?.reason).toMatch(/tests not run: the change compiles to the same JavaScript/);
    const message = await git(repo, 'log', '-1', '--format=%B', results[0]?.branch as string);
    expect(message).toMatch(/skipped \(the change compiles to the same JavaScript/);
  });

  it('runs the related tests when the project keeps every import in its JavaScript (verbatimModuleSyntax)', async () => {
    const repo = await repoWithUnusedImport(true);
    const { results } = await run(repo, 'verbatim', [
      { file: 'src/a.ts', items: [unusedImportItem('src/a.ts', 'width', 1, './b.ts')] },
    ]);
    expect(results).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'pass' } },
    ]);
    expect(results[0]?.reason).not.toMatch(/tests not run/);
  });

  it('says the tests were skipped, not passed, when no test touches the changed file (vitest related finds none)', async () => {
    const repo = await repoWithUnusedImport(true);
    // c.ts is in no test's import graph: `vitest related src/c.ts` runs nothing and exits 0.
    await writeFile(
      path.join(repo, 'src/c.ts'),
      "import { width } from './b.ts';\nexport const depth = 5;\n",
    );
    const tsconfig = JSON.parse(await readFile(path.join(repo, 'tsconfig.json'), 'utf8'));
    await writeFile(
      path.join(repo, 'tsconfig.json'),
      JSON.stringify({ ...tsconfig, files: [...tsconfig.files, 'src/c.ts'] }),
    );
    await git(repo, 'add', 'src/c.ts', 'tsconfig.json');
    await git(
      repo,
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@localhost',
      'commit',
      '-qm',
      'c.ts, untested',
    );
    const { results } = await run(repo, 'untested', [
      { file: 'src/c.ts', items: [unusedImportItem('src/c.ts', 'width', 1, './b.ts')] },
    ]);
    expect(results).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'skipped' } },
    ]);
    expect(results[0]?.reason).toMatch(/tests not run: the test runner found no test for these files/);
    const message = await git(repo, 'log', '-1', '--format=%B', results[0]?.branch as string);
    expect(message).toMatch(/tests skipped \(the test runner found no test for these files\)/);
    expect(message).not.toMatch(/tests pass/);
  });
});
