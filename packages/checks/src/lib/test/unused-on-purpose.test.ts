/**
 * Code unused on purpose is never `fix`: names marked unused (`_x`, the repository's lint
 * ignore patterns), declarations whose job is to be typechecked, and test scaffolding.
 * Judged on exact text, the way scan reports it.
 */

import { ts } from '@selfreview/shared/compiler';
import type { Candidate } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { readConventions } from '../conventions.ts';
import type { JudgeContext } from '../judge.ts';
import { decide } from './helpers.ts';

function ctx(text: string, over: Partial<JudgeContext> = {}, file = 'src/a.ts'): JudgeContext {
  return {
    fileText: text,
    sourceFile: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true),
    scannedText: text,
    isGenerated: false,
    llmAvailable: false,
    exportersOf: () => [],
    importersOf: () => [],
    now: Date.parse('2026-12-01T00:00:00Z'),
    memoryDays: 14,
    protectedPath: false,
    ignoredPath: false,
    ...over,
  };
}

const lineOf = (text: string, name: string, from = 0): number => {
  const at = text.search(new RegExp(`(?<![\\w$])${name.replace('$', '\\$')}(?![\\w$])`));
  return text.slice(0, Math.max(at, from)).split('\n').length;
};

function local(
  text: string,
  name: string,
  declarationKind: 'variable' | 'function' | 'type' = 'variable',
  file = 'src/a.ts',
): Candidate {
  const line = lineOf(text, name);
  return {
    id: `unused-local:${name}`,
    rule: 'unused-local',
    file,
    line,
    endLine: line,
    message: `'${name}' is declared but never used`,
    evidence: {
      kind: 'unused-local',
      name,
      declarationKind,
      initializer: null,
      destructured: false,
      code: 6133,
      statement: '',
    },
  };
}

function param(text: string, name: string, functionName: string, file = 'src/a.ts'): Candidate {
  const line = lineOf(text, name);
  return {
    id: `unused-parameter:${name}`,
    rule: 'unused-parameter',
    file,
    line,
    endLine: line,
    message: `parameter '${name}' is never used`,
    evidence: {
      kind: 'unused-parameter',
      name,
      functionName,
      index: 0,
      typeParameter: false,
      destructured: false,
      code: 6133,
      signature: '',
    },
  };
}

const judge = (c: Candidate, context: JudgeContext) => decide(c, context);

const DATE_FNS_TYPE_TEST = [
  "import { describe, it } from 'vitest';",
  "import { getDate } from './index.js';",
  "describe('getDate', () => {",
  "  it('resolves the context date type', () => {",
  '    function _test<DateType extends Date>(arg: DateArg<DateType>) {',
  "      getDate(arg, { in: tz('x') });",
  '    }',
  '  });',
  '});',
  '',
].join('\n');

describe('names marked as unused on purpose', () => {
  it.each<[string, string, string, 'variable' | 'function']>([
    ['a function in a test block', DATE_FNS_TYPE_TEST, '_test', 'function'],
    [
      'a typed assignment',
      'export function f(result: boolean) {\n  const _assign: boolean = result;\n}\n',
      '_assign',
      'variable',
    ],
    ['a plain local', 'export function f() {\n  const _unused = 1;\n}\n', '_unused', 'variable'],
    [
      'a destructured name',
      'export function f(o: { a: 1; b: 2 }) {\n  const { a: _a, b } = o;\n  return b;\n}\n',
      '_a',
      'variable',
    ],
    [
      'an array element',
      'export function f(xs: number[]) {\n  const [_first, second] = xs;\n  return second;\n}\n',
      '_first',
      'variable',
    ],
  ])('drops %s starting with _ (intentionally_unused)', (_what, text, name, kind) => {
    const d = judge(local(text, name, kind, 'src/getDate/test.ts'), ctx(text, {}, 'src/getDate/test.ts'));
    expect([d.verdict, d.reason]).toEqual(['drop', 'intentionally_unused']);
    expect(d.detail).toContain(`'${name}' starts with '_'`);
  });

  it('drops an _-prefixed parameter', () => {
    const text = 'function helper(_req: string, res: string) {\n  return res;\n}\nhelper("a", "b");\n';
    const d = judge(param(text, '_req', 'helper'), ctx(text));
    expect([d.verdict, d.reason]).toEqual(['drop', 'intentionally_unused']);
  });

  const ESLINTRC = JSON.stringify({
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { varsIgnorePattern: '^ignored', argsIgnorePattern: '^unused', caughtErrorsIgnorePattern: '^err$' },
      ],
    },
  });
  const conventions = readConventions(new Map([['.eslintrc.json', ESLINTRC]])).unusedNames;

  it.each<[string, Candidate, string, string]>([
    [
      'varsIgnorePattern on a local',
      local('function f() {\n  const ignoredValue = 1;\n}\nf();\n', 'ignoredValue'),
      'function f() {\n  const ignoredValue = 1;\n}\nf();\n',
      `.eslintrc.json varsIgnorePattern "^ignored"`,
    ],
    [
      'argsIgnorePattern on a parameter',
      param('function f(unusedX: number) {\n  return 1;\n}\nf(1);\n', 'unusedX', 'f'),
      'function f(unusedX: number) {\n  return 1;\n}\nf(1);\n',
      `.eslintrc.json argsIgnorePattern "^unused"`,
    ],
  ])('drops a name matched by the repository lint config: %s', (_what, candidate, text, source) => {
    const d = judge(candidate, ctx(text, { unusedNames: conventions }));
    expect([d.verdict, d.reason]).toEqual(['drop', 'intentionally_unused']);
    expect(d.detail).toContain(`matches ${source}`);
  });

  it('does not apply a parameter pattern to a local of the same name, which stays fixable', () => {
    const text = 'function f() {\n  const unusedX = 1;\n}\nf();\n';
    const d = judge(local(text, 'unusedX'), ctx(text, { unusedNames: conventions }));
    expect([d.verdict, d.reason]).toEqual(['fix', 'unused_local']);
  });

  it('drops every unused parameter when the lint config says args: "none"', () => {
    const yaml = "rules:\n  '@typescript-eslint/no-unused-vars':\n    - 'error'\n    - args: 'none'\n";
    const unusedNames = readConventions(new Map([['.eslintrc.yml', yaml]])).unusedNames;
    const text =
      'function check(value: string, args: string[]) {\n  return value.length > 0;\n}\ncheck("a", []);\n';
    const d = judge(param(text, 'args', 'check'), ctx(text, { unusedNames }));
    expect([d.verdict, d.reason]).toEqual(['drop', 'intentionally_unused']);
    expect(d.detail).toContain('.eslintrc.yml no-unused-vars args "none"');
  });
});

describe('declarations whose purpose is to be typechecked', () => {
  it.each<[string, string, string, 'variable' | 'type' | 'function', string]>([
    [
      'a @ts-expect-error inside it',
      "export function f() {\n  const wrong = () => {\n    // @ts-expect-error: not a number\n    takesNumber('x');\n  };\n}\n",
      'wrong',
      'variable',
      '@ts-expect-error',
    ],
    [
      'an expectTypeOf inside it',
      'export function f() {\n  const check = () => expectTypeOf(g()).toEqualTypeOf<string>();\n}\n',
      'check',
      'variable',
      'expectTypeOf',
    ],
    [
      'a satisfies check',
      'const config = { port: 1 } satisfies Config;\n',
      'config',
      'variable',
      'satisfies',
    ],
    ['a type-level assertion helper', 'type Check = Expect<Equal<A, B>>;\n', 'Check', 'type', 'Expect<...>'],
  ])('drops %s (type_assertion)', (_what, text, name, kind, mention) => {
    const d = judge(local(text, name, kind), ctx(text));
    expect([d.verdict, d.reason]).toEqual(['drop', 'type_assertion']);
    expect(d.detail).toContain(mention);
  });

  it('drops a typed assignment in a test file and defers one of an existing value elsewhere', () => {
    const text = 'export function f(result: unknown) {\n  const asserted: boolean = result as boolean;\n}\n';
    const inTest = judge(local(text, 'asserted'), ctx(text, { testFile: true }));
    expect([inTest.verdict, inTest.reason]).toEqual(['drop', 'type_assertion']);
    const elsewhere = judge(local(text, 'asserted'), ctx(text));
    expect([elsewhere.verdict, elsewhere.reason]).toEqual(['defer', 'type_assertion']);
  });

  it('still fixes a typed local holding a fresh literal outside tests: that is dead code', () => {
    const text = 'export function f() {\n  const timeout: number = 5;\n}\n';
    expect(judge(local(text, 'timeout'), ctx(text)).verdict).toBe('fix');
  });

  it('drops everything unused in a type test file, type aliases included (type_test)', () => {
    const text = "import { expectType } from 'tsd';\ntype Parsed = ReturnType<typeof parse>;\n";
    const d = judge(local(text, 'Parsed', 'type'), ctx(text, { typeTestFile: 'by its name' }));
    expect([d.verdict, d.reason]).toEqual(['drop', 'type_test']);
  });
});

describe('code inside test blocks', () => {
  const TEST = [
    "import { describe, it } from 'vitest';",
    "describe('parse', () => {",
    "  it.each([1, 2])('parses %i', (n) => {",
    '    const leftover = 1;',
    '    function helper(x: number) {',
    '      return 2;',
    '    }',
    '  });',
    '});',
    'function topLevel() {}',
    '',
  ].join('\n');

  it.each<[string, Candidate]>([
    ['a local', local(TEST, 'leftover', 'variable', 'src/parse.test.ts')],
    ['a function', local(TEST, 'helper', 'function', 'src/parse.test.ts')],
    ['a parameter of a function in the block', param(TEST, 'x', 'helper', 'src/parse.test.ts')],
  ])('drops %s in a test block of a test file (test_code)', (_what, candidate) => {
    const d = judge(candidate, ctx(TEST, { testFile: true }, 'src/parse.test.ts'));
    expect([d.verdict, d.reason]).toEqual(['drop', 'test_code']);
    expect(d.detail).toContain('`it.each(...)`');
  });

  it('still fixes the same code when the file is not a test, and a top-level helper of a test file', () => {
    expect(judge(local(TEST, 'leftover'), ctx(TEST)).verdict).toBe('fix');
    const top = judge(
      local(TEST, 'topLevel', 'function', 'src/parse.test.ts'),
      ctx(TEST, { testFile: true }, 'src/parse.test.ts'),
    );
    expect([top.verdict, top.reason]).toEqual(['fix', 'unused_local']);
  });
});
