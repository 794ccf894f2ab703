import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from '@selfreview/shared/compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FolderEntries, readDirectory } from '../src/engine/config-globs.ts';

// The compiler's public reader on the real disk is the reference: the in-memory matcher must
// select the same files in the same order for every spec, the odd ones included.
const TREE = [
  'index.ts',
  'setup.mts',
  'readme.md',
  'src/a.ts',
  'src/b.tsx',
  'src/a.spec.ts',
  'src/vendor.min.js',
  'src/plain.js',
  'src/.hidden.ts',
  'src/.cache/c.ts',
  'src/deep/er/d.ts',
  'src/deep/er/d.test.ts',
  'src/node_modules/pkg/index.ts',
  'src/types/global.d.ts',
  'lib/x.cts',
  'lib/generated/y.ts',
  'bower_components/z.ts',
  'node_modules/dep/index.d.ts',
  'test/t.ts',
  'test/fixtures/f.ts',
  'weird name/q.ts',
  'weird(name)/r+s.ts',
  '.config/tool.ts',
];

const EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.mts', '.cts'];
const WITH_JS = [...EXTENSIONS, '.js', '.jsx'];

interface Case {
  includes?: string[];
  excludes?: string[];
  extensions?: string[];
  depth?: number;
  /** An include ending in `**` selects nothing. */
  empty?: true;
}

const CASES: Case[] = [
  {},
  { includes: [] },
  { includes: ['**/*'] },
  { includes: ['src'] },
  { includes: ['src/'] },
  { includes: ['src/**/*.ts'] },
  { includes: ['src/*'] },
  { includes: ['src/?.ts'] },
  { includes: ['src/**/*'], extensions: WITH_JS },
  { includes: ['**/*'], excludes: ['node_modules', 'bower_components', 'jspm_packages'] },
  { includes: ['src', 'lib'], excludes: ['**/*.spec.ts', 'lib/generated'] },
  { includes: ['lib', 'src'], excludes: ['src/deep/**'] },
  { includes: ['src/**/*', 'test/**/*'], excludes: ['**/fixtures'] },
  { includes: ['index.ts', 'setup.mts'] },
  { includes: ['src/node_modules/**/*'] },
  { includes: ['weird name', 'weird(name)/*.ts'] },
  { includes: ['.config/*.ts', 'src/.cache/*'] },
  { includes: ['src/**'], empty: true },
  { includes: ['../elsewhere/*.ts', 'src/*.ts'] },
  { includes: ['**/*'], depth: 2 },
  { includes: ['./src/./deep/../*.tsx'] },
];

let root: string;
const onDisk: FolderEntries = (dir) => {
  try {
    const entries = readdirSync(dir, { withFileTypes: true });
    return {
      files: entries.filter((e) => e.isFile()).map((e) => e.name),
      directories: entries.filter((e) => e.isDirectory()).map((e) => e.name),
    };
  } catch {
    return { files: [], directories: [] };
  }
};

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'selfreview-globs-'));
  for (const file of TREE) {
    mkdirSync(path.dirname(path.join(root, 'project', file)), { recursive: true });
    writeFileSync(path.join(root, 'project', file), '');
  }
  mkdirSync(path.join(root, 'elsewhere'));
  writeFileSync(path.join(root, 'elsewhere', 'shared.ts'), '');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readDirectory', () => {
  it.each(CASES)('selects what the compiler selects on disk: %j', (c) => {
    const dir = path.join(root, 'project');
    const extensions = c.extensions ?? EXTENSIONS;
    const expected = ts.sys.readDirectory(dir, extensions, c.excludes, c.includes, c.depth);
    expect(expected.length === 0).toBe(c.empty === true);
    expect(readDirectory(onDisk, dir, extensions, c.excludes, c.includes, c.depth)).toEqual(expected);
  });

  it('gives a config the same files as the compiler reading the disk', () => {
    const dir = path.join(root, 'project');
    const config = {
      compilerOptions: { allowJs: true },
      include: ['src', 'lib/**/*', '*.ts'],
      exclude: ['**/*.spec.ts', 'lib/generated'],
    };
    const host = (readDir: ts.ParseConfigHost['readDirectory']): ts.ParseConfigHost => ({
      useCaseSensitiveFileNames: true,
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: readDir,
    });
    const fromDisk = ts.parseJsonConfigFileContent(config, host(ts.sys.readDirectory), dir);
    const inMemory = ts.parseJsonConfigFileContent(
      config,
      host((d, ext, exc, inc, depth) => readDirectory(onDisk, d, ext, exc, inc, depth)),
      dir,
    );
    expect(fromDisk.fileNames.length).toBeGreaterThan(3);
    expect(inMemory.fileNames).toEqual(fromDisk.fileNames);
  });
});
