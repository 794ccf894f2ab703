/**
 * The layouts real repositories have, each as a small repository: a git submodule the tests
 * need, dependencies installed per workspace package, a project reference to a submodule that
 * is not checked out, a solution-style tsconfig with project references, and a fix that leaves
 * another name unused. Each batch must verify against the base commit and commit what it newly
 * breaks nothing in. The repositories' own tests are in fix-real-shapes-tests.test.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STRICT, shapesTestBed, unusedLocal } from './helpers/fix-shapes.ts';
import { git, makeRepo, tempDir } from './helpers/git.ts';

describe('fix on the shapes of real repositories', () => {
  const { cleanup, run } = shapesTestBed();

  it('fills a submodule from the local checkout, so tests that read it can pass', async () => {
    const sub = await makeRepo({ 'data.json': '{"unit":"m"}\n' });
    cleanup.push(sub);
    const repo = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: STRICT, files: ['src/a.ts'] }),
      'src/a.ts': 'export function height(): number {\n  const spare = 2;\n  return 3;\n}\n',
      // The test reads the submodule's file: without it, it fails at the base too.
      'package.json': JSON.stringify({
        scripts: { test: "node -e \"require('fs').readFileSync('vendor/units/data.json')\"" },
      }),
    });
    await git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', sub, 'vendor/units');
    await git(
      repo,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@localhost',
      'commit',
      '--quiet',
      '-m',
      'submodule',
    );

    const { results, baseSha } = await run(repo, 'submodule', [
      { file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'spare', 2, '2')] },
    ]);
    expect(results).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'pass' } },
    ]);
    const branch = results[0]?.branch ?? '';
    expect(await git(repo, 'diff', '--name-only', baseSha, branch)).toBe('src/a.ts');
  });

  it("links each workspace package's installed dependencies, not only the root's", async () => {
    const repo = await makeRepo({
      '.gitignore': 'node_modules/\n',
      'package.json': JSON.stringify({ private: true, workspaces: ['packages/*'] }),
      'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './packages/app' }] }),
      'packages/app/package.json': JSON.stringify({ name: 'app', dependencies: { 'local-units': '1.0.0' } }),
      'packages/app/tsconfig.json': JSON.stringify({
        compilerOptions: { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext' },
        include: ['src'],
      }),
      'packages/app/src/a.ts':
        "import { meters } from 'local-units';\nexport function height(): number {\n  const spare = 2;\n  return meters(3);\n}\n",
    });
    // Installed only in the package's own node_modules, as pnpm does without hoisting.
    const dep = path.join(repo, 'packages/app/node_modules/local-units');
    await mkdir(dep, { recursive: true });
    await writeFile(
      path.join(dep, 'package.json'),
      JSON.stringify({ name: 'local-units', types: 'index.d.ts' }),
    );
    await writeFile(path.join(dep, 'index.d.ts'), 'export declare function meters(n: number): number;\n');

    const { results } = await run(repo, 'workspaces', [
      { file: 'packages/app/src/a.ts', items: [unusedLocal('packages/app/src/a.ts', 'spare', 3, '2')] },
    ]);
    expect(results).toMatchObject([
      { status: 'committed', verification: { typecheck: 'pass', tests: 'skipped' } },
    ]);
  });

  it('compares base diagnostics that name the worktree by path across batches (a reference to a missing submodule)', async () => {
    const repo = await makeRepo({
      // As date-fns: a project reference into a submodule that is not checked out.
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          ...STRICT,
          composite: true,
          emitDeclarationOnly: true,
          declaration: true,
          noEmit: false,
        },
        files: ['src/a.ts', 'src/b.ts'],
        references: [{ path: './submodules/tz' }],
      }),
      'src/a.ts': 'export function height(): number {\n  const spare = 2;\n  return 3;\n}\n',
      'src/b.ts': 'export function width(): number {\n  const spare = 2;\n  return 4;\n}\n',
    });
    const dataDir = await tempDir();
    // Two batches, two worktrees, one cache of the base's diagnostics.
    const first = await run(
      repo,
      'path-a',
      [{ file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'spare', 2, '2')] }],
      dataDir,
    );
    const second = await run(
      repo,
      'path-b',
      [{ file: 'src/b.ts', items: [unusedLocal('src/b.ts', 'spare', 2, '2')] }],
      dataDir,
    );
    expect(first.results).toMatchObject([{ status: 'committed', verification: { typecheck: 'pass' } }]);
    expect(second.results).toMatchObject([{ status: 'committed', verification: { typecheck: 'pass' } }]);
  });

  it('typechecks the referenced project that includes a file, through a solution-style tsconfig', async () => {
    const repo = await makeRepo({
      'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './src' }, { path: './test' }] }),
      'src/tsconfig.json': JSON.stringify({
        compilerOptions: STRICT,
        include: ['**/*.ts'],
        exclude: ['**/*.test.ts'],
      }),
      // The test project includes test files that sit next to the sources.
      'test/tsconfig.json': JSON.stringify({ compilerOptions: STRICT, include: ['../src/**/*.test.ts'] }),
      'src/a.ts': 'export function height(): number {\n  const spare = 2;\n  return 3;\n}\n',
      'src/a.test.ts':
        "import { height } from './a';\nconst wanted = 3;\nexport const ok = height() === 3;\n",
    });
    const { results } = await run(repo, 'references', [
      { file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'spare', 2, '2')] },
      { file: 'src/a.test.ts', items: [unusedLocal('src/a.test.ts', 'wanted', 2, '3')] },
    ]);
    expect(results.map((r) => [r.file, r.status, r.verification.typecheck])).toEqual([
      ['src/a.ts', 'committed', 'pass'],
      ['src/a.test.ts', 'committed', 'pass'],
    ]);
  });

  it('finishes a name the fix left unused in the same batch', async () => {
    const text =
      'export function area(side: number): number {\n  const total = side * side;\n  const doubled = total * 2;\n  return side * side;\n}\n';
    const repo = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: STRICT, files: ['src/a.ts'] }),
      'src/a.ts': text,
    });
    const { results, baseSha } = await run(repo, 'leftover', [
      { file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'doubled', 3, 'total * 2')] },
    ]);
    expect(results).toMatchObject([{ status: 'committed', verification: { typecheck: 'pass' } }]);
    expect(await git(repo, 'show', `${results[0]?.branch}:src/a.ts`)).toBe(
      'export function area(side: number): number {\n  return side * side;\n}',
    );
    expect(await git(repo, 'rev-list', '--count', `${baseSha}..${results[0]?.branch}`)).toBe('1');
  });

  it('leaves a fix as needs_followup when the name it leaves unused is a parameter', async () => {
    const repo = await makeRepo({
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...STRICT, noUnusedParameters: true },
        files: ['src/a.ts'],
      }),
      'src/a.ts':
        'export function area(side: number): number {\n  const doubled = side * 2;\n  return 4;\n}\n',
    });
    const { results } = await run(repo, 'followup', [
      { file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'doubled', 2, 'side * 2')] },
    ]);
    expect(results).toMatchObject([{ status: 'carried_over', branch: null }]);
    expect(results[0]?.reason).toMatch(/^needs_followup: the fix leaves .*side.* unused/);
  });
});
