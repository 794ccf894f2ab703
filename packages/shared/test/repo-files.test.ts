import { describe, expect, it } from 'vitest';
import {
  hasRootTsconfig,
  isTypeScriptSource,
  MAX_SOURCE_BYTES,
  selectSourceFiles,
} from '../src/repo-files.ts';

const blob = (path: string, size = 100) => ({ path, size, mode: '100644' });
const NO_IGNORE = { ignore: [] };

describe('isTypeScriptSource', () => {
  it.each(['a.ts', 'src/a.tsx', 'src/a.mts', 'src/a.cts', 'd.ts', 'src/a.d.ts.ts', 'src/types.dts.ts'])(
    'takes %s',
    (file) => {
      expect(isTypeScriptSource(file)).toBe(true);
    },
  );

  it.each([
    'a.d.ts',
    'src/a.d.mts',
    'src/a.d.cts',
    'a.js',
    'a.jsx',
    'a.mjs',
    'a.TS',
    'a.ts.map',
    'README.md',
    'ts',
  ])('leaves out %s', (file) => {
    expect(isTypeScriptSource(file)).toBe(false);
  });
});

describe('selectSourceFiles', () => {
  it('keeps .ts .tsx .mts .cts and leaves out declarations and other files', () => {
    const tree = ['a.ts', 'b.tsx', 'c.mts', 'd.cts', 'e.d.ts', 'f.d.mts', 'g.js', 'h.json'].map((p) =>
      blob(p),
    );
    expect(selectSourceFiles(tree, NO_IGNORE)).toEqual({
      files: ['a.ts', 'b.tsx', 'c.mts', 'd.cts'],
      skipped: [],
    });
  });

  it.each([
    'node_modules/pkg/index.ts',
    'packages/a/node_modules/pkg/index.ts',
    'dist/index.ts',
    'packages/a/dist/index.ts',
    'build/a.ts',
    'out/a.ts',
    'coverage/a.ts',
    '.next/a.ts',
    '.turbo/a.ts',
  ])('leaves out %s silently', (path) => {
    expect(selectSourceFiles([blob(path)], NO_IGNORE)).toEqual({ files: [], skipped: [] });
  });

  it('only leaves out whole folder names, not files or folders that start with them', () => {
    const tree = [blob('dist.ts'), blob('src/build-tools/a.ts'), blob('distribution/a.ts')];
    expect(selectSourceFiles(tree, NO_IGNORE).files).toEqual([
      'dist.ts',
      'distribution/a.ts',
      'src/build-tools/a.ts',
    ]);
  });

  it('skips symbolic links (120000) and submodules (160000) with a reason', () => {
    const tree = [
      blob('src/a.ts'),
      { path: 'src/link.ts', size: 12, mode: '120000' },
      { path: 'vendor.ts', size: 0, mode: '160000' },
      { path: 'src/run.ts', size: 10, mode: '100755' },
    ];
    expect(selectSourceFiles(tree, NO_IGNORE)).toEqual({
      files: ['src/a.ts', 'src/run.ts'],
      skipped: [
        { file: 'src/link.ts', reason: 'symbolic link or submodule' },
        { file: 'vendor.ts', reason: 'symbolic link or submodule' },
      ],
    });
  });

  it('skips files larger than the limit with a reason and keeps one exactly at it', () => {
    const tree = [blob('big.ts', MAX_SOURCE_BYTES + 1), blob('edge.ts', MAX_SOURCE_BYTES)];
    expect(MAX_SOURCE_BYTES).toBe(1_048_576);
    expect(selectSourceFiles(tree, NO_IGNORE)).toEqual({
      files: ['edge.ts'],
      skipped: [{ file: 'big.ts', reason: 'larger than 1048576 bytes' }],
    });
  });

  it('leaves out paths matching the config ignore globs, dot folders included', () => {
    const tree = [
      blob('src/a.ts'),
      blob('gen/api.ts'),
      blob('gen/deep/b.ts'),
      blob('src/.cache/c.ts'),
      blob('src/a.test.ts'),
      blob('gen/huge.ts', MAX_SOURCE_BYTES + 1),
    ];
    expect(selectSourceFiles(tree, { ignore: ['gen/**', '**/.cache/**', '**/*.test.ts'] })).toEqual({
      files: ['src/a.ts'],
      skipped: [],
    });
  });

  it('sorts the files by path whatever the tree order', () => {
    const tree = ['src/z.ts', 'lib/b.ts', 'src/a.ts', 'Src/x.ts', 'lib/a.ts'].map((p) => blob(p));
    expect(selectSourceFiles(tree, NO_IGNORE).files).toEqual([
      'Src/x.ts',
      'lib/a.ts',
      'lib/b.ts',
      'src/a.ts',
      'src/z.ts',
    ]);
  });

  it('returns nothing for an empty tree', () => {
    expect(selectSourceFiles([], NO_IGNORE)).toEqual({ files: [], skipped: [] });
  });
});

describe('hasRootTsconfig', () => {
  it.each([
    [['tsconfig.json', 'src/a.ts'], true],
    [['packages/a/tsconfig.json', 'tsconfig.base.json'], false],
    [['src/a.ts'], false],
    [[], false],
  ])('for %j says %s', (paths, expected) => {
    expect(hasRootTsconfig(paths.map((path) => ({ path })))).toBe(expected);
  });
});
