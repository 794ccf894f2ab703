/**
 * Full and push scans on real git repositories: several projects and extensions, bad
 * input (rejected compiler options, syntax errors, binary, minified and linked files, no
 * TypeScript at all), stable ids, and a warm worker that reads only what a push changed.
 */
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  findNativeTsc,
  fullScan,
  pushScan,
  type ScanOutcome,
  scanSettingsFrom,
  WarmCache,
} from '@selfreview/scan';
import { defaultRepoConfig } from '@selfreview/shared/config';
import { Repository } from '@selfreview/shared/workspace';
import { describe, expect, it } from 'vitest';
import { git, makeRepo, tempDir } from './helpers/git.ts';

const exec = promisify(execFile);
const SETTINGS = scanSettingsFrom(defaultRepoConfig());

async function scan(dir: string): Promise<ScanOutcome> {
  const repo = await Repository.open(dir);
  const { sha } = await repo.head();
  return fullScan(repo, sha, SETTINGS, {
    workDir: await tempDir('selfreview-scan-work-'),
    tscPath: await findNativeTsc(),
    timeoutMs: 120_000,
  });
}

async function commitAll(dir: string, message = 'change'): Promise<string> {
  await git(dir, 'add', '--all');
  await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '--quiet', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

const summary = (o: ScanOutcome) => o.candidates.map((c) => `${c.rule} ${c.file}:${c.line}`).sort();

/** A workspace whose package `lib` declares a global that `app` uses: lost if `lib` resolves elsewhere. */
const WORKSPACE = {
  'package.json': '{ "name": "root", "private": true }\n',
  '.gitignore': 'node_modules\n',
  'tsconfig.json': JSON.stringify({
    compilerOptions: { strict: true, types: [], module: 'preserve', moduleResolution: 'bundler' },
    include: ['app'],
  }),
  'packages/lib/package.json': '{ "name": "lib", "types": "./index.ts" }\n',
  'packages/lib/index.ts': 'declare global {\n  var fromLib: number;\n}\nexport const lib = 1;\n',
  'app/main.ts': "import { lib } from 'lib';\nexport const total = lib + fromLib;\n",
};

describe('full scan', () => {
  it('checks every project: root references, a package tsconfig, and .mts/.cts/.tsx files', async () => {
    const dir = await makeRepo({
      'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './tsconfig.app.json' }] }),
      'tsconfig.app.json': JSON.stringify({
        compilerOptions: { strict: true, jsx: 'react-jsx', types: [] },
        include: ['app'],
      }),
      'app/view.tsx': 'const unusedInView = 1;\nexport const View = () => null;\n',
      'packages/lib/tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, types: [] },
        include: ['src'],
      }),
      'packages/lib/src/a.mts': 'const unusedInMts = 1;\nexport {};\n',
      'packages/lib/src/b.cts': 'const unusedInCts = 1;\nexport {};\n',
    });
    const outcome = await scan(dir);
    expect(outcome.engine).toBe('native');
    expect(summary(outcome).filter((s) => s.startsWith('unused-local'))).toEqual([
      'unused-local app/view.tsx:1',
      'unused-local packages/lib/src/a.mts:1',
      'unused-local packages/lib/src/b.cts:1',
    ]);
  });

  it('still checks a project whose options the native compiler rejects, with a warning', async () => {
    const dir = await makeRepo({
      'tsconfig.json': JSON.stringify({
        compilerOptions: { moduleResolution: 'node10', module: 'commonjs', baseUrl: '.', types: [] },
        include: ['src'],
      }),
      'src/a.ts': "import { x } from './b';\nexport const y = missingName;\n",
      'src/b.ts': 'export const x = 1;\n',
    });
    const outcome = await scan(dir);
    expect(summary(outcome)).toEqual(
      expect.arrayContaining(['unused-import src/a.ts:1', 'undefined-identifier src/a.ts:2']),
    );
    expect(outcome.warnings.join('\n')).toMatch(
      /tsconfig\.json: options the compiler rejects were overridden.*moduleResolution=bundler/,
    );
  });

  it('skips a file that does not parse with a warning and still checks the others', async () => {
    const dir = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, types: [] }, include: ['src'] }),
      'src/broken.ts': 'export const = ;\n',
      'src/fine.ts': 'const unusedHere = 1;\nexport {};\n',
    });
    const outcome = await scan(dir);
    expect(summary(outcome)).toEqual(['unused-local src/fine.ts:1']);
    expect(outcome.warnings.join('\n')).toMatch(/src\/broken\.ts:1: syntax error .*file skipped/);
  });

  it('skips binary, minified and oversized files and never follows a link out of the repository', async () => {
    const outside = await tempDir('selfreview-outside-');
    await writeFile(path.join(outside, 'secret.ts'), '// TODO: outside the repository\nconst leak = 1;\n');
    const dir = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: { types: [] }, include: ['src'] }),
      'src/binary.ts': '// TODO: binary\n\u0000\u0001',
      'src/minified.ts': `// TODO: minified\nexport const m = [${'1,'.repeat(4000)}1];\n`,
      'src/huge.ts': `// TODO: huge\n${'export const pad = 1;\n'.replace('pad', 'p0')}${'// filler line of text\n'.repeat(60_000)}`,
      'src/ok.ts': '// TODO: the only real one\nexport {};\n',
    });
    await symlink(path.join(outside, 'secret.ts'), path.join(dir, 'src/linked.ts'));
    await commitAll(dir, 'add a link');
    const outcome = await scan(dir);
    expect(summary(outcome)).toEqual(['todo-comment src/ok.ts:1']);
    const warnings = outcome.warnings.join('\n');
    expect(warnings).toMatch(/src\/binary\.ts: skipped \(binary content\)/);
    expect(warnings).toMatch(/src\/minified\.ts: skipped \(minified/);
    expect(warnings).toMatch(/src\/huge\.ts: skipped \(larger than/);
    expect(warnings).toMatch(/src\/linked\.ts: skipped \(symbolic link/);
  });

  it("resolves a workspace package to the commit's copy in the snapshot, not the working tree's", async () => {
    const dir = await makeRepo(WORKSPACE);
    // As a workspace install leaves it: node_modules/lib links to the package's folder.
    await mkdir(path.join(dir, 'node_modules'));
    await symlink('../packages/lib', path.join(dir, 'node_modules/lib'), 'dir');
    // Uncommitted: the working tree's copy no longer declares the global the commit's does.
    await writeFile(path.join(dir, 'packages/lib/index.ts'), 'export const lib = 1;\n');
    const outcome = await scan(dir);
    expect(outcome.errors).toEqual([]);
    expect(summary(outcome).filter((s) => s.includes('app/main.ts'))).toEqual([]);
  });

  it("resolves a workspace package to the snapshot's copy when node_modules is another checkout's", async () => {
    // Another checkout holds the install, and an older version of the package: its copy
    // lacks the global the scanned commit's declares.
    const other = await makeRepo({ ...WORKSPACE, 'packages/lib/index.ts': 'export const lib = 1;\n' });
    await mkdir(path.join(other, 'node_modules'));
    await symlink('../packages/lib', path.join(other, 'node_modules/lib'), 'dir');
    const dir = await makeRepo(WORKSPACE);
    await symlink(path.join(other, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const outcome = await scan(dir);
    expect(outcome.errors).toEqual([]);
    expect(summary(outcome).filter((s) => s.includes('app/main.ts'))).toEqual([]);
  });

  it('scans a repository without TypeScript to zero candidates and says so', async () => {
    const dir = await makeRepo({ 'README.md': '# nothing here\n', 'index.js': 'const x = 1;\n' });
    const outcome = await scan(dir);
    expect(outcome).toMatchObject({ files: 0, candidates: [], engine: 'none' });
    expect(outcome.warnings).toContain('no TypeScript files in the repository: nothing to scan');
  });

  it('runs the syntactic rules (and name-based unused imports) when there is no tsconfig', async () => {
    const dir = await makeRepo({ 'src/a.ts': "import { gone } from './b';\n// FIXME: broken\nexport {};\n" });
    const outcome = await scan(dir);
    expect(summary(outcome)).toEqual(['todo-comment src/a.ts:2', 'unused-import src/a.ts:1']);
    expect(outcome.warnings.join('\n')).toMatch(/no tsconfig\.json: semantic rules .* skipped/);
  });

  it('keeps candidate ids when lines move', async () => {
    const text =
      "import { a } from './b';\n// TODO: later\nfunction f(p: number) { const q = 1; return missing; }\nexport {};\n";
    const dir = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, types: [] }, include: ['src'] }),
      'src/a.ts': text,
      'src/b.ts': 'export const a = 1;\n',
    });
    const before = await scan(dir);
    await writeFile(path.join(dir, 'src/a.ts'), `// a header\n\n\n${text}`);
    await commitAll(dir);
    const after = await scan(dir);
    const ids = (o: ScanOutcome) =>
      o.candidates
        .filter((c) => c.file === 'src/a.ts')
        .map((c) => c.id)
        .sort();
    expect(ids(before).length).toBeGreaterThanOrEqual(5);
    expect(ids(after)).toEqual(ids(before));
    expect(after.candidates.find((c) => c.rule === 'todo-comment')?.line).toBe(5);
  });
});

describe('push scan on a warm worker', () => {
  it.each(['native', 'javascript'] as const)(
    'scans only the pushed files and reads only what changed (%s checker)',
    async (checker) => {
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, types: [] }, include: ['src'] }),
        'src/used.ts': 'export const shared = 1;\n',
      };
      for (let i = 0; i < 20; i++)
        files[`src/m${i}.ts`] = `import { shared } from './used';\nexport const v${i} = shared + ${i};\n`;
      const dir = await makeRepo(files);
      const repo = await Repository.open(dir);
      const cache = new WarmCache(1, checker);
      try {
        const first = await pushScan(cache, repo, (await repo.head()).sha, ['src/m1.ts'], SETTINGS);
        expect(first).toMatchObject({ cold: true, files: 1, engine: 'warm' });

        await writeFile(
          path.join(dir, 'src/m2.ts'),
          "import { shared } from './used';\nconst stale = 2;\nexport const v2 = 2;\n",
        );
        const sha = await commitAll(dir);
        const { project } = await cache.get(repo, sha, []);
        // The cache advanced the warm project already; a second advance to the same commit reads nothing.
        expect(await project.advanceTo(repo, sha)).toBe(0);
        const second = await pushScan(cache, repo, sha, ['src/m2.ts'], SETTINGS);
        expect(second.cold).toBe(false);
        expect(summary(second).filter((s) => s.startsWith('unused'))).toEqual([
          'unused-import src/m2.ts:1',
          'unused-local src/m2.ts:2',
        ]);
      } finally {
        cache.clear();
      }
    },
  );

  it('reads only the files a commit changed when it advances', async () => {
    const dir = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: { types: [] }, include: ['src'] }),
      'src/a.ts': 'export const a = 1;\n',
      'src/b.ts': 'export const b = 1;\n',
      'src/c.ts': 'export const c = 1;\n',
    });
    const repo = await Repository.open(dir);
    const cache = new WarmCache(1);
    try {
      const { project } = await cache.get(repo, (await repo.head()).sha, []);
      await writeFile(path.join(dir, 'src/b.ts'), 'export const b = 2;\n');
      await exec('git', ['-C', dir, 'rm', '-q', 'src/c.ts']);
      const sha = await commitAll(dir);
      expect(await project.advanceTo(repo, sha)).toBe(2);
      expect(project.text('src/b.ts')).toBe('export const b = 2;\n');
      expect(project.text('src/c.ts')).toBeUndefined();
      expect(project.text('src/a.ts')).toBe('export const a = 1;\n');
    } finally {
      cache.clear();
    }
  });
});
