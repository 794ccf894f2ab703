import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affectedProject, includeMatches } from '../src/projects.ts';
import { packageFolders } from '../src/worktree-setup.ts';

describe('includeMatches', () => {
  it.each([
    ['src/**/test.ts', 'src/add/test.ts', true],
    ['src/**/test.ts', 'src/test.ts', true],
    ['src/**/test.ts', 'src/add/index.ts', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/x/a.ts', false],
    ['src', 'src/x/a.ts', true],
    ['src/', 'srcs/a.ts', false],
    ['packages/*/src/**/*', 'packages/core/src/a/b.ts', true],
  ])('%s against %s is %s', (pattern, file, expected) => {
    expect(includeMatches(pattern, file)).toBe(expected);
  });
});

describe('affectedProject', () => {
  let root: string;
  const files: Record<string, string> = {
    // Solution-style root, as date-fns has it; comments and trailing commas as tsconfig allows.
    'tsconfig.json':
      '{\n  // the projects\n  "files": [],\n  "references": [{ "path": "./src" }, { "path": "./test" },],\n}\n',
    'src/tsconfig.json': '{ "include": ["**/*.ts"], "exclude": ["**/test.ts"] }',
    'test/tsconfig.json': '{ "include": ["../src/**/test.ts", "./**/*.ts"] }',
    'packages/core/tsconfig.json': '{ "include": ["src"] }',
    'scripts/tool.ts': '',
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'projects-'));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['src/add/index.ts', 'src/tsconfig.json'],
    ['src/add/test.ts', 'test/tsconfig.json'],
    ['test/helpers.ts', 'test/tsconfig.json'],
    ['packages/core/src/a.ts', 'packages/core/tsconfig.json'],
    ['scripts/tool.ts', 'tsconfig.json'],
  ])('%s is checked by %s', (file, project) => {
    expect(affectedProject(root, file)).toBe(project);
  });
});

describe('packageFolders', () => {
  it('finds the root and every package, not installed ones', () => {
    expect(
      packageFolders([
        'package.json',
        'src/a.ts',
        'packages/zod/package.json',
        'packages/zod/src/index.ts',
        'apps/web/package.json',
        'vendor/node_modules/x/package.json',
      ]),
    ).toEqual(['', 'apps/web', 'packages/zod']);
  });
});
