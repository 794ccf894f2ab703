/**
 * The test-weakening gate counts type-level tests too: a type test asserts by being
 * typechecked, so removing its declaration, its expectTypeOf or its @ts-expect-error
 * weakens it as surely as removing an `expect`.
 */
import { describe, expect, it } from 'vitest';
import { checkGates, type GateInput, testShape, testWeakening } from '../src/gates.ts';

const ok: GateInput = {
  changedFiles: ['src/a.test.ts'],
  allowedFiles: ['src/a.test.ts'],
  diffLines: 2,
  maxDiffLines: 10,
};

const TYPE_TEST = [
  "import { assertType, expectTypeOf, it } from 'vitest';",
  "import { expectType } from 'tsd';",
  "import { getDate } from './getDate';",
  '',
  "it('resolves the date type', () => {",
  '  function _test<DateType extends Date>(arg: DateType) {',
  '    getDate(arg);',
  '  }',
  '  const _assign: boolean = true;',
  '  expectTypeOf(getDate(new Date())).toEqualTypeOf<number>();',
  '  assertType<number>(getDate(new Date()));',
  '  expectType<number>(getDate(new Date()));',
  '  // @ts-expect-error: a string is not a date',
  "  getDate('2024');",
  '});',
  '',
].join('\n');

describe('testShape counts type-level tests', () => {
  it('counts type assertions (calls and @ts-expect-error) and declarations inside test blocks', () => {
    expect(testShape(TYPE_TEST)).toMatchObject({
      tests: 1,
      assertions: 0,
      typeAssertions: 4,
      testDeclarations: 2,
    });
  });

  it('ignores type assertions in strings and declarations outside test blocks', () => {
    const text =
      "const helper = 1;\nconst s = 'expectTypeOf(x)';\nfunction f() { const inner = 2; }\nit('a', () => {});\n";
    expect(testShape(text)).toMatchObject({ typeAssertions: 0, testDeclarations: 0 });
  });

  it('counts declarations in hooks and nested describe blocks, and in it.each bodies', () => {
    const text = [
      "describe('d', () => {",
      '  beforeEach(() => { const seed = 1; });',
      "  it.each([1])('n %i', (n) => { type _Check = typeof n; });",
      '});',
    ].join('\n');
    // `n` is a parameter, not a declaration; the describe callback's own body declares nothing else.
    expect(testShape(text).testDeclarations).toBe(2);
  });
});

describe('testWeakening on type tests', () => {
  it.each([
    [
      'the _test type-test function',
      TYPE_TEST.replace(/ {2}function _test[\s\S]*?\n {2}\}\n/, ''),
      'declarations in test blocks removed (2 -> 1)',
    ],
    [
      'a typed assignment used as an assertion',
      TYPE_TEST.replace('  const _assign: boolean = true;\n', ''),
      'declarations in test blocks removed (2 -> 1)',
    ],
    ['an expectTypeOf', TYPE_TEST.replace(/ {2}expectTypeOf.*\n/, ''), 'type assertions dropped (4 -> 3)'],
    ['an assertType', TYPE_TEST.replace(/ {2}assertType.*\n/, ''), 'type assertions dropped (4 -> 3)'],
    ['a tsd expectType', TYPE_TEST.replace(/ {2}expectType<.*\n/, ''), 'type assertions dropped (4 -> 3)'],
    [
      'a @ts-expect-error directive',
      TYPE_TEST.replace(/ {2}\/\/ @ts-expect-error.*\n/, ''),
      'type assertions dropped (4 -> 3)',
    ],
  ])('refuses removing %s', (_what, after, detail) => {
    expect(after).not.toBe(TYPE_TEST);
    expect(testWeakening(TYPE_TEST, after).join('; ')).toBe(detail);
    expect(checkGates({ ...ok, testFiles: [{ file: 'src/a.test.ts', before: TYPE_TEST, after }] })).toEqual([
      { gate: 'test_weakened', detail: `src/a.test.ts: ${detail}` },
    ]);
  });

  it('accepts removing an unused import from a type test', () => {
    const after = TYPE_TEST.replace("import { expectType } from 'tsd';\n", '').replace(
      / {2}expectType<.*\n/,
      '',
    );
    expect(testWeakening(TYPE_TEST.replace(/ {2}expectType<.*\n/, ''), after)).toEqual([]);
  });
});
