/**
 * The shapes real repositories have, each as a small repository: a git submodule the tests
 * need, dependencies installed per workspace package, tests that fail at the base commit,
 * a solution-style tsconfig with project references, a fix that leaves another name unused,
 * and a vitest suite of which only the related tests run. Each batch must verify against the
 * base commit and commit what it newly breaks nothing in.
 */
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createFixProcessor } from '@selfreview/fix/processor';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { fixItem, unusedImport } from './helpers/factories.ts';
import { git, makeRepo, removeDir, tempDir, userState } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** An unused `const` of `file`: what scan reports and apply queues. */
function unusedLocal(file: string, name: string, line: number, initializer: string): FixItem {
  return {
    candidate: {
      id: `unused-local:${file}:${name}`,
      rule: 'unused-local',
      file,
      line,
      endLine: line,
      message: `'${name}' is declared but its value is never read.`,
      evidence: {
        kind: 'unused-local',
        name,
        declarationKind: 'variable',
        initializer,
        destructured: false,
        code: 6133,
        statement: `const ${name} = ${initializer};`,
      },
    },
    changeType: 'remove_unused_local',
    confidence: 0.9,
  };
}

/** An unused named import of `file`: what scan reports (in tsc's words) and apply queues. */
function unusedImportItem(file: string, name: string, line: number, from: string): FixItem {
  const candidate = unusedImport(file, name, { line, from });
  return fixItem(
    { ...candidate, message: `'${name}' is declared but its value is never read.` },
    { confidence: 0.95 },
  );
}

const STRICT = { strict: true, noEmit: true, noUnusedLocals: true, types: [] as string[] };

describe('fix on the shapes of real repositories', () => {
  const prefix = uniquePrefix('shapes');
  const redis = connect();
  const runs = new RunStore(redis, prefix);
  const log = pino({ level: 'silent' });
  const ctx = { job: { id: 'test' } as unknown as Job, log };
  const cleanup: string[] = [];

  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    for (const dir of cleanup) await removeDir(dir);
  });

  async function run(repo: string, batchId: string, files: FixJob['files'], shared?: string) {
    const dataDir = shared ?? (await tempDir());
    cleanup.push(repo, dataDir);
    const baseSha = await git(repo, 'rev-parse', 'HEAD');
    const before = await userState(repo);
    const processor = createFixProcessor({ runs, dataDir });
    const results = await processor(
      { runId: `run-${batchId}`, repo: { path: repo }, baseBranch: 'main', baseSha, batchId, files },
      ctx,
    ).catch((err: Error) => {
      throw new Error(`batch ${batchId}: ${err.message}`);
    });
    // The user's branch, index and working tree are never touched.
    expect(await userState(repo)).toEqual(before);
    const warnings = await runs.warnings(`run-${batchId}`);
    return { results, baseSha, warnings };
  }

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
    await mkdir(path.join(repo, 'node_modules', '.bin'), { recursive: true });
    await symlink(path.join(ROOT, 'node_modules', 'vitest'), path.join(repo, 'node_modules', 'vitest'));
    await symlink(
      path.join(ROOT, 'node_modules', '.bin', 'vitest'),
      path.join(repo, 'node_modules', '.bin', 'vitest'),
    );

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
    await symlink(path.join(ROOT, 'node_modules', 'vitest'), path.join(repo, 'node_modules', 'vitest'));
    await symlink(
      path.join(ROOT, 'node_modules', '.bin', 'vitest'),
      path.join(repo, 'node_modules', '.bin', 'vitest'),
    );

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
    await mkdir(path.join(repo, 'node_modules', '.bin'), { recursive: true });
    await symlink(path.join(ROOT, 'node_modules', 'vitest'), path.join(repo, 'node_modules', 'vitest'));
    await symlink(
      path.join(ROOT, 'node_modules', '.bin', 'vitest'),
      path.join(repo, 'node_modules', '.bin', 'vitest'),
    );
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
});
