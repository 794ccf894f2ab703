/** Bad input to the CLI: one clear line on stderr, a non-zero exit, no stack trace. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunReport } from '@selfreview/shared/schemas';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

function expectOneLineError(res: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(res.code).toBe(2);
  const lines = res.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^selfreview: /);
  expect(lines[0]).toMatch(pattern);
  expect(res.stderr).not.toMatch(/^\s+at /m);
}

describe('selfreview run refuses bad input', () => {
  const dirs: string[] = [];
  const env = () => ({ REDIS_URL: testRedisUrl(), SELFREVIEW_PREFIX: uniquePrefix('err') });
  afterAll(async () => {
    for (const d of dirs) await removeDir(d);
  });

  it('a PATH that does not exist', async () => {
    expectOneLineError(
      await runCli(['run', '/nonexistent/selfreview-nowhere'], env()),
      /no such file or directory/,
    );
  });

  it('a PATH that is a file', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await writeFile(path.join(dir, 'a.ts'), 'export {};\n');
    expectOneLineError(await runCli(['run', path.join(dir, 'a.ts')], env()), /not a directory/);
  });

  it('a folder that is not a git repository', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await writeFile(path.join(dir, 'tsconfig.json'), '{}\n');
    expectOneLineError(await runCli(['run', dir], env()), /not a git repository/);
  });

  it('a repository without commits', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await git(dir, 'init', '--quiet');
    expectOneLineError(await runCli(['run', dir], env()), /has no commits/);
  });

  it('a repository without a tsconfig.json', async () => {
    const dir = await makeRepo({ 'src/a.ts': 'export const a = 1;\n' });
    dirs.push(dir);
    expectOneLineError(await runCli(['run', dir], env()), /no tsconfig\.json/);
  });

  it('an unknown command and a bad option value', async () => {
    expectOneLineError(await runCli(['frobnicate'], env()), /unknown command "frobnicate"/);
    expectOneLineError(
      await runCli(['run', '--timeout', 'soon'], env()),
      /--timeout must be a positive number/,
    );
  });

  it('an unreachable REDIS_URL', async () => {
    const dir = await makeRepo({ 'tsconfig.json': '{}\n', 'a.ts': 'export {};\n' });
    dirs.push(dir);
    expectOneLineError(await runCli(['run', dir], { REDIS_URL: 'redis://127.0.0.1:1' }), /does not answer/);
  });
});

describe('selfreview scan', () => {
  it('refuses a PATH that does not exist and a missing PATH in one line', async () => {
    expectOneLineError(
      await runCli(['scan', '/nonexistent/selfreview-nowhere'], {}),
      /no such file or directory/,
    );
    expectOneLineError(await runCli(['scan'], {}), /scan takes one PATH/);
  });

  it('prints the candidates as one JSON object without Redis and leaves the repository alone', async () => {
    const dir = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, types: [] }, include: ['src'] }),
      'src/a.ts': "import { b } from './b';\n// TODO: tidy up\nexport const a = 1;\n",
      'src/b.ts': 'export const b = 1;\n',
    });
    const status = await git(dir, 'status', '--porcelain');
    // An unreachable REDIS_URL proves scan does not need Redis.
    const res = await runCli(['scan', dir, '--json'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as {
      files: number;
      engine: string;
      candidates: { rule: string; line: number }[];
    };
    expect(out).toMatchObject({ files: 2, engine: 'native' });
    expect(out.candidates.map((c) => `${c.rule}:${c.line}`).sort()).toEqual(
      expect.arrayContaining(['todo-comment:2', 'unused-import:1']),
    );
    expect(await git(dir, 'status', '--porcelain')).toBe(status);
    await removeDir(dir);
  });
});

describe('a file with a syntax error', () => {
  let repo: string;
  let dataDir: string;
  const prefix = uniquePrefix('syntax');
  beforeAll(async () => {
    repo = await makeRepo({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] } }),
      'src/ok.ts': "import { b, unused } from './b';\nexport const a = b + 1;\n",
      'src/b.ts': 'export const b = 1;\nexport const unused = 2;\n',
      'src/broken.ts': 'export function broken( {\n  return 1;\n',
    });
    dataDir = await tempDir();
    await mkdir(dataDir, { recursive: true });
  });
  afterAll(async () => {
    const redis = new Redis(testRedisUrl());
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  it('is skipped with a warning while the rest is scanned and fixed', async () => {
    const reportFile = path.join(dataDir, 'r.json');
    const res = await runCli(['run', repo, '--report', reportFile], {
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
    });
    expect(res.code, res.stderr).toBe(0);
    const report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    expect(report.warnings).toEqual([
      expect.stringMatching(/^src\/broken\.ts:2: syntax error \(.+\), file skipped$/),
    ]);
    expect(res.stdout).toContain('src/broken.ts:2: syntax error');
    expect(report.candidates.map((c) => [c.file, c.rule])).toEqual([['src/ok.ts', 'unused-import']]);
    // The base commit already has type errors (in broken.ts); the fix adds none, so it is committed.
    expect(report.fixes).toMatchObject([{ file: 'src/ok.ts', status: 'committed' }]);
  });
});
