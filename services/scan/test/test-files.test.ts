import { ts } from '@selfreview/shared/compiler';
import { describe, expect, it } from 'vitest';
import { buildTestIndex, collectReferencedNames, isTestFile } from '../src/test-files.ts';

function parse(text: string, file = 'test/a.test.ts'): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

describe('isTestFile: common conventions', () => {
  it.each([
    'src/parse.test.ts',
    'src/parse.test.tsx',
    'src/parse.spec.ts',
    'src/view.spec.tsx',
    'src/parse.test.mts',
    'src/parse.spec.cts',
    'src/parse.test.js',
    'src/parse.spec.jsx',
    'src/parse.test.mjs',
    'parse.test.ts',
    'src/app.e2e.ts',
    'src/app.e2e-spec.ts',
    'src/__tests__/parse.ts',
    'src/deep/__tests__/nested/helper.ts',
    'test/helpers.ts',
    'tests/fixtures/sample.ts',
    'packages/core/test/parse.ts',
    'services/api/tests/unit/routes.ts',
  ])('treats %s as a test file', (file) => {
    expect(isTestFile(file, [])).toBe(true);
  });

  it.each([
    'src/parse.ts',
    'src/test.ts',
    'src/tests.ts',
    'src/testing/parse.ts',
    'src/contest/parse.ts',
    'src/latest.ts',
    'src/parse.test-utils.ts',
    'src/parse.tests.ts',
    'src/spec.ts',
    'src/parse.test.json',
    'src/parse.test.ts.bak',
    'src/__tests__.ts',
  ])('does not treat %s as a test file', (file) => {
    expect(isTestFile(file, [])).toBe(false);
  });
});

describe('isTestFile: configured globs', () => {
  it('matches the given globs against the whole path instead of the conventions', () => {
    const patterns = ['checks/**/*.ts', '**/*.check.ts'];
    expect(isTestFile('checks/parse.ts', patterns)).toBe(true);
    expect(isTestFile('src/deep/parse.check.ts', patterns)).toBe(true);
    expect(isTestFile('src/parse.test.ts', patterns)).toBe(false);
    expect(isTestFile('test/helpers.ts', patterns)).toBe(false);
    expect(isTestFile('src/parse.ts', patterns)).toBe(false);
  });

  it('matches dot folders', () => {
    expect(isTestFile('.config/app.check.ts', ['**/*.check.ts'])).toBe(true);
  });

  it('does not match a bare file-name glob in a subfolder', () => {
    expect(isTestFile('src/parse.check.ts', ['*.check.ts'])).toBe(false);
    expect(isTestFile('parse.check.ts', ['*.check.ts'])).toBe(true);
  });

  it('gives the same answers when the same patterns are asked again', () => {
    const patterns = ['e2e/**'];
    expect([isTestFile('e2e/a.ts', patterns), isTestFile('src/a.ts', patterns)]).toEqual([true, false]);
    expect([isTestFile('e2e/a.ts', patterns), isTestFile('src/a.ts', patterns)]).toEqual([true, false]);
  });
});

describe('collectReferencedNames', () => {
  it('collects identifiers, property names, private names and identifier-like strings', () => {
    const source = [
      "import { parse as parseIt } from '../src/parse.ts';",
      "it('parses input', () => {",
      "  const spy = vi.spyOn(api, 'format');",
      '  expect(parseIt(`x`).value).toBe(1);',
      '  class T { #hidden = 1 }',
      '  return <Button label="ok" />;',
      '});',
    ].join('\n');
    const sourceFile = ts.createSourceFile(
      't.test.tsx',
      source,
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.TSX,
    );
    expect([...collectReferencedNames(sourceFile)].sort()).toEqual(
      [
        'parse',
        'parseIt',
        'it',
        'spy',
        'vi',
        'spyOn',
        'api',
        'format',
        'expect',
        'x',
        'value',
        'toBe',
        'T',
        '#hidden',
        'Button',
        'label',
        'ok',
      ].sort(),
    );
  });

  it('leaves out strings that are not identifier-like', () => {
    const names = collectReferencedNames(
      parse("const a = ['two words', 'kebab-case', '1abc', '', 'ok_$1'];"),
    );
    expect([...names].sort()).toEqual(['a', 'ok_$1']);
  });
});

describe('buildTestIndex', () => {
  it('counts the test files and joins their names', () => {
    const index = buildTestIndex([
      { sourceFile: parse('parse(1);') },
      { sourceFile: parse("format('run');", 'test/b.test.ts') },
    ]);
    expect(index.testFiles).toBe(2);
    expect([...index.referencedNames].sort()).toEqual(['format', 'parse', 'run']);
  });

  it('gives an empty index for no test files', () => {
    const index = buildTestIndex([]);
    expect(index).toEqual({ testFiles: 0, referencedNames: new Set() });
  });
});
