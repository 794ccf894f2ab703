/**
 * Worktrees kept between batches (the fix worker's pool), on real repositories: a batch of the
 * same commit takes the previous batch's worktree, reset to the base, and its branch holds only
 * its own change; what a failed batch left is gone; the dependency links and the repository's
 * ignored files stay; a worktree that cannot be reset clean is removed; a drained pool leaves
 * nothing behind. And the git adapter's reset and new branch on their own.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createWorktreePool } from '@selfreview/fix/processor';
import { Repository } from '@selfreview/shared/workspace';
import { describe, expect, it } from 'vitest';
import { linkVitest, STRICT, shapesTestBed, unusedImportItem, unusedLocal } from './helpers/fix-shapes.ts';
import { git, makeRepo, tempDir } from './helpers/git.ts';

const { runs, cleanup, run } = shapesTestBed();

/** The fix worker's pool as SELFREVIEW_FIX_KEPT_WORKTREES=2 makes it. */
function keptPool() {
  const pool = createWorktreePool(2, (root) => Repository.open(root));
  if (!pool) throw new Error('createWorktreePool(2) made no pool');
  return pool;
}

/** Worktrees git knows of, the checkout first. */
async function worktrees(repo: string): Promise<string[]> {
  return (await git(repo, 'worktree', 'list', '--porcelain'))
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
}

/** A vitest repository with two source files, each with an unused local, and a test of each. */
async function vitestRepo(): Promise<string> {
  const repo = await makeRepo({
    '.gitignore': 'node_modules/\n*.log\n',
    'package.json': JSON.stringify({ type: 'module', scripts: { test: 'vitest run' } }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true },
      files: ['src/a.ts', 'src/b.ts'],
    }),
    'src/a.ts': 'export function height(): number {\n  const spare = [2];\n  return 3;\n}\n',
    'src/b.ts': 'export function width(): number {\n  const extra = [4];\n  return 5;\n}\n',
    'src/a.test.ts':
      "import { expect, it } from 'vitest';\nimport { height } from './a.ts';\nit('is three', () => expect(height()).toBe(3));\n",
    'src/b.test.ts':
      "import { expect, it } from 'vitest';\nimport { width } from './b.ts';\nit('is five', () => expect(width()).toBe(5));\n",
  });
  await linkVitest(repo);
  return repo;
}

describe('fix batches in kept worktrees', () => {
  it('gives the next batch of the same commit the same worktree, reset: each branch holds only its own change', async () => {
    const repo = await vitestRepo();
    const dataDir = await tempDir();
    const pool = keptPool();
    const base = await git(repo, 'rev-parse', 'HEAD');

    const first = await run(
      repo,
      'pool-a',
      [{ file: 'src/a.ts', items: [unusedLocal('src/a.ts', 'spare', 2, '[2]')] }],
      dataDir,
      {
        worktrees: pool,
      },
    );
    expect(first.results).toMatchObject([{ status: 'committed', verification: { tests: 'pass' } }]);
    expect(pool.size).toBe(1);
    const kept = (await worktrees(repo))[1] as string;
    // Parked: detached at the base, nothing changed, the dependency links still there.
    expect(await git(kept, 'rev-parse', 'HEAD')).toBe(base);
    expect(await git(kept, 'status', '--porcelain')).toBe('');
    expect(existsSync(path.join(kept, 'node_modules', 'vitest'))).toBe(true);
    // An ignored file (a set-up's output, say) stays; it is the repository's business.
    await writeFile(path.join(kept, 'build.log'), 'kept\n');

    const second = await run(
      repo,
      'pool-b',
      [{ file: 'src/b.ts', items: [unusedLocal('src/b.ts', 'extra', 2, '[4]')] }],
      dataDir,
      {
        worktrees: pool,
      },
    );
    // The related tests ran in the kept worktree: its links to the dependencies still work.
    expect(second.results).toMatchObject([{ status: 'committed', verification: { tests: 'pass' } }]);
    expect(await worktrees(repo)).toEqual([repo, kept]);
    expect(await readFile(path.join(kept, 'build.log'), 'utf8')).toBe('kept\n');
    for (const [branch, file] of [
      [first.results[0]?.branch, 'src/a.ts'],
      [second.results[0]?.branch, 'src/b.ts'],
    ]) {
      expect(await git(repo, 'rev-list', '--count', `${base}..${branch}`)).toBe('1');
      expect(await git(repo, 'diff', '--name-only', base, branch as string)).toBe(file);
    }

    await pool.drain();
    expect(await worktrees(repo)).toEqual([repo]);
    const root = path.join(dataDir, 'worktrees');
    for (const key of await readdir(root)) expect(await readdir(path.join(root, key))).toEqual(['.repo']);
  });

  it('resets what a failed batch left before the next batch takes the worktree', async () => {
    const repo = await makeRepo({
      'tsconfig.json': JSON.stringify({
        compilerOptions: STRICT,
        files: ['src/a.ts', 'src/b.ts', 'src/c.ts'],
      }),
      'src/a.ts': "import { width } from './b';\nexport function height(): number {\n  return 3;\n}\n",
      'src/b.ts': 'export const width = 4;\n',
      'src/c.ts': 'export function depth(): number {\n  const spare = 2;\n  return 1;\n}\n',
      // Fails whenever a.ts no longer names width: removing that import breaks the "tests".
      'package.json': JSON.stringify({
        scripts: {
          test: "node -e \"if(!require('fs').readFileSync('src/a.ts','utf8').includes('width'))process.exit(1)\"",
        },
      }),
    });
    const dataDir = await tempDir();
    const pool = keptPool();
    const base = await git(repo, 'rev-parse', 'HEAD');
    await run(
      repo,
      'pool-fail',
      [{ file: 'src/a.ts', items: [unusedImportItem('src/a.ts', 'width', 1, './b')] }],
      dataDir,
      {
        worktrees: pool,
      },
    ).catch(() => null);
    expect(await runs.fixResults('run-pool-fail')).toMatchObject([
      { status: 'failed', verification: { tests: 'fail' } },
    ]);
    expect(pool.size).toBe(1);

    const next = await run(
      repo,
      'pool-next',
      [{ file: 'src/c.ts', items: [unusedLocal('src/c.ts', 'spare', 2, '2')] }],
      dataDir,
      {
        worktrees: pool,
      },
    );
    expect(next.results).toMatchObject([{ status: 'committed' }]);
    expect(await git(repo, 'diff', '--name-only', base, next.results[0]?.branch as string)).toBe('src/c.ts');
    // The failed batch's branch got no commit and is gone.
    expect(await git(repo, 'branch', '--list', 'selfreview/*')).toBe(next.results[0]?.branch);
    await pool.drain();
    expect(await worktrees(repo)).toEqual([repo]);
  });
});

describe('resetWorktree and reuseWorktree (git adapter)', () => {
  async function worktreeOf() {
    const dir = await makeRepo({ '.gitignore': '*.log\n', 'src/a.ts': 'export const a = 1;\n' });
    const repo = await Repository.open(dir);
    const sha = await git(dir, 'rev-parse', 'HEAD');
    const folder = path.join(await tempDir(), 'wt');
    cleanup.push(dir, path.dirname(folder));
    const wt = await repo.addWorktree(folder, sha, 'selfreview/reset-1');
    return { dir, repo, sha, wt };
  }

  it('puts the worktree back at the commit, detached, keeping the branch, the kept links and ignored files', async () => {
    const { dir, repo, sha, wt } = await worktreeOf();
    await writeFile(path.join(wt.dir, 'src/a.ts'), 'export const a = 2;\n');
    const tip = await wt.commit(['src/a.ts'], 'change');
    await writeFile(path.join(wt.dir, 'src/a.ts'), 'export const a = 3;\n');
    await writeFile(path.join(wt.dir, 'stray.ts'), 'new\n');
    await writeFile(path.join(wt.dir, 'run.log'), 'ignored\n');
    await mkdir(path.join(wt.dir, 'node_modules', 'x'), { recursive: true });
    await writeFile(path.join(wt.dir, 'node_modules', 'x', 'index.js'), '');

    expect(await repo.resetWorktree(wt.dir, sha, ['node_modules'])).toBe(true);
    expect(await git(wt.dir, 'rev-parse', 'HEAD')).toBe(sha);
    expect(await git(wt.dir, 'symbolic-ref', '-q', 'HEAD').catch(() => 'detached')).toBe('detached');
    expect(await git(dir, 'rev-parse', 'selfreview/reset-1')).toBe(tip);
    expect(await readFile(path.join(wt.dir, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(existsSync(path.join(wt.dir, 'stray.ts'))).toBe(false);
    expect(existsSync(path.join(wt.dir, 'run.log'))).toBe(true);
    expect(existsSync(path.join(wt.dir, 'node_modules', 'x', 'index.js'))).toBe(true);

    // A new branch at the commit; one that exists is refused, as worktree add refuses it.
    const next = await repo.reuseWorktree(wt.dir, sha, 'selfreview/reset-2');
    expect(await git(next.dir, 'symbolic-ref', '--short', 'HEAD')).toBe('selfreview/reset-2');
    await git(next.dir, 'checkout', '--quiet', '--detach', sha);
    await expect(repo.reuseWorktree(wt.dir, sha, 'selfreview/reset-1')).rejects.toThrow(/checkout -b/);
  });

  it('says the worktree is not clean when something it must not delete is left (a nested repository)', async () => {
    const { repo, sha, wt } = await worktreeOf();
    await git(wt.dir, 'init', '--quiet', 'nested');
    await writeFile(path.join(wt.dir, 'nested', 'file.ts'), 'x\n');
    expect(await repo.resetWorktree(wt.dir, sha, ['node_modules'])).toBe(false);
  });

  it('refuses kept paths git could read as something else', async () => {
    const { repo, sha, wt } = await worktreeOf();
    await expect(repo.resetWorktree(wt.dir, sha, ['../outside'])).rejects.toThrow();
    await expect(repo.resetWorktree(wt.dir, sha, ['-x'])).rejects.toThrow();
  });
});
