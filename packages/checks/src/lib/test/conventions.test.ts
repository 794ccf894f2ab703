/** Reading a repository's lint and test-runner configuration as text, never running it. */

import { ts } from '@selfreview/shared/compiler';
import { enclosingTestBlock, isTypeTestFile } from '@selfreview/shared/repo-files';
import { describe, expect, it } from 'vitest';
import { conventionFiles, matchesAny, readConventions, testGlobs } from '../conventions.ts';

const OXLINT = `{
  "rules": {
    "no-unused-vars": ["error", {
      "args": "all",
      "argsIgnorePattern": "^_",
      "caughtErrorsIgnorePattern": "^_",
      "destructuredArrayIgnorePattern": "^_",
      "varsIgnorePattern": "^_"
    }]
  }
}`;

const FLAT_CONFIG = `import tseslint from 'typescript-eslint';
export default tseslint.config({
  rules: {
    '@typescript-eslint/no-unused-vars': ['warn', { varsIgnorePattern: '^(React|ignored)$', argsIgnorePattern: "^(req|res)$" }],
    'no-console': 'off',
  },
});`;

const ESLINTRC_YML = `rules:
  '@typescript-eslint/no-unused-vars':
    - error
    - varsIgnorePattern: ^dummy
      caughtErrorsIgnorePattern: '^ignore'
`;

describe('unused-name patterns from lint configuration', () => {
  it.each<[string, string, string[]]>([
    ['.oxlintrc.json', OXLINT, ['args ^_', 'caughtErrors ^_', 'destructuredArray ^_', 'vars ^_']],
    ['eslint.config.mjs', FLAT_CONFIG, ['vars ^(React|ignored)$', 'args ^(req|res)$']],
    ['.eslintrc.yml', ESLINTRC_YML, ['vars ^dummy', 'caughtErrors ^ignore']],
    [
      '.eslintrc.json',
      '{"rules":{"no-unused-vars":["error",{"varsIgnorePattern":"^_\\\\w+$"}]}}',
      ['vars ^_\\w+$'],
    ],
  ])('reads %s', (file, text, expected) => {
    const { patterns } = readConventions(new Map([[file, text]])).unusedNames;
    expect(patterns.map((p) => `${p.kind} ${p.pattern.source}`)).toEqual(expected);
    expect(patterns.every((p) => p.source.startsWith(`${file} `))).toBe(true);
  });

  it('compiles the patterns as the linter would, and skips one that is not a regular expression', () => {
    const { patterns } = readConventions(
      new Map([['.eslintrc.json', '{"varsIgnorePattern": "^(React|ignored)$", "argsIgnorePattern": "(["}']]),
    ).unusedNames;
    expect(patterns).toHaveLength(1);
    expect(['React', 'ignored', 'ignoredX'].map((n) => patterns[0]?.pattern.test(n))).toEqual([
      true,
      true,
      false,
    ]);
  });

  it.each<[string, string, string | undefined]>([
    [
      '.eslintrc.yml',
      "rules:\n  '@typescript-eslint/no-unused-vars':\n    - 'error'\n    - args: 'none'\n",
      '.eslintrc.yml no-unused-vars args "none"',
    ],
    ['.eslintrc.json', '{"rules":{"no-unused-vars":["error",{"args":"after-used"}]}}', undefined],
    [
      '.eslintrc.json',
      '{"rules":{"no-unused-vars":"error","no-empty-function":["error",{"args":"none"}]}}',
      undefined,
    ],
  ])('knows when %s turns off unused-parameter reports: %s', (file, text, expected) => {
    expect(readConventions(new Map([[file, text]])).unusedNames.argsNotChecked).toBe(expected);
  });

  it.each<[string, string[]]>([
    [
      '{"linter":{"rules":{"correctness":{"noUnusedVariables":{"level":"warn","fix":"none"}}}}}',
      ['biome.jsonc noUnusedVariables'],
    ],
    ['{"linter":{"rules":{"correctness":{"noUnusedVariables":"error"}}}}', ['biome.jsonc noUnusedVariables']],
    ['{"linter":{"rules":{"correctness":{"noUnusedVariables":"off"}}}}', []],
  ])(
    'names biome as a source of the underscore convention when noUnusedVariables is on: %s',
    (text, expected) => {
      expect(readConventions(new Map([['biome.jsonc', text]])).unusedNames.underscoreSources).toEqual(
        expected,
      );
    },
  );
});

describe('test globs from test-runner configuration', () => {
  it('reads vitest include and typecheck.include, not coverage.include', () => {
    const text = `export default defineConfig({
  test: {
    include: ["src/**/test.ts"],
    coverage: { include: ['src/**'] },
    typecheck: { include: ['**/*.test.ts'], enabled: true },
  },
});`;
    expect(testGlobs(text)).toEqual({ tests: ['src/**/test.ts'], typeTests: ['**/*.test.ts'] });
  });

  it("reads jest's testMatch without <rootDir>", () => {
    expect(testGlobs("module.exports = { testMatch: ['<rootDir>/test/**/*.spec.ts'] };").tests).toEqual([
      'test/**/*.spec.ts',
    ]);
  });

  it("roots a nested package's globs at its folder and matches paths with them", () => {
    const conventions = readConventions(
      new Map([
        ['packages/core/vitest.config.ts', "export default { test: { include: ['src/**/test.ts'] } };"],
      ]),
    );
    expect(conventions.testRunner.tests).toEqual(['packages/core/src/**/test.ts']);
    expect(matchesAny(conventions.testRunner.tests, 'packages/core/src/getDate/test.ts')).toBe(true);
    expect(matchesAny(conventions.testRunner.tests, 'src/getDate/test.ts')).toBe(false);
  });

  it('lists only configuration files near the root, never under node_modules', () => {
    expect(
      conventionFiles([
        '.eslintrc.yml',
        'vitest.config.ts',
        'packages/zod/vitest.config.ts',
        'biome.jsonc',
        'node_modules/x/.eslintrc.json',
        'a/b/c/d/eslint.config.js',
        'src/eslint.ts',
        'jest.config.js',
      ]),
    ).toEqual([
      '.eslintrc.yml',
      'vitest.config.ts',
      'packages/zod/vitest.config.ts',
      'biome.jsonc',
      'jest.config.js',
    ]);
  });
});

describe('type test files and test blocks (shared conventions apply relies on)', () => {
  it.each<[string, string | null, boolean]>([
    ['src/parse.test-d.ts', null, true],
    ['src/view.spec-d.tsx', null, true],
    ['test-d/index.ts', null, true],
    ['src/index.ts', "import { expectType } from 'tsd';\n", true],
    ['src/index.ts', "import { expectTypeOf } from 'expect-type';\n", true],
    ['src/parse.test.ts', "import { expectTypeOf } from 'vitest';\n", false],
    ['src/test-d.ts', null, false],
  ])('isTypeTestFile(%s) is %s', (file, text, expected) => {
    expect(isTypeTestFile(file, text)).toBe(expected);
  });

  it('finds the innermost test block around a declaration, through .each and hooks, and none outside', () => {
    const text = [
      "describe('d', () => {",
      "  it.each([1])('n', () => { const inTest = 1; });",
      '  beforeEach(() => { const inHook = 1; });',
      '});',
      'const outside = 1;',
      'items.map((x) => { const inCallback = x; });',
    ].join('\n');
    const sf = ts.createSourceFile('a.test.ts', text, ts.ScriptTarget.Latest, true);
    const found: Record<string, string | undefined> = {};
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name))
        found[node.name.text] = enclosingTestBlock(node)?.expression.getText(sf);
      ts.forEachChild(node, visit);
    };
    visit(sf);
    expect(found).toEqual({
      inTest: 'it.each([1])',
      inHook: 'beforeEach',
      outside: undefined,
      inCallback: undefined,
    });
  });
});
