import type { CheckEvidence } from '@selfreview/checks';
import { ts } from '@selfreview/shared/compiler';
import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { hasSideEffects } from '@selfreview/shared/syntax';
import { describe, expect, it } from 'vitest';
import { type JudgeContext, judgeCandidate } from '../src/judgements/index.ts';
import { memoryVerdict } from '../src/judgements/memory.ts';
import { RepoIndex } from '../src/repo-index.ts';
import { isSuppressed } from '../src/suppression.ts';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const DAY = 24 * 3600 * 1000;

function ctx(text: string, over: Partial<JudgeContext> = {}): JudgeContext {
  return {
    fileText: text,
    sourceFile: ts.createSourceFile('src/a.ts', text, ts.ScriptTarget.Latest, true),
    scannedText: text,
    isGenerated: false,
    llmAvailable: false,
    exportersOf: () => [],
    importersOf: () => [],
    now: NOW,
    memoryDays: 14,
    protectedPath: false,
    ignoredPath: false,
    ...over,
  };
}

function local(
  name: string,
  line: number,
  extra: Partial<Extract<CheckEvidence, { kind: 'unused-local' }>> = {},
): Candidate {
  return {
    id: `unused-local:${name}`,
    rule: 'unused-local',
    file: 'src/a.ts',
    line,
    endLine: line,
    message: `variable '${name}' is declared but never used`,
    evidence: {
      kind: 'unused-local',
      name,
      declarationKind: 'variable',
      initializer: null,
      destructured: false,
      code: 6133,
      statement: '',
      ...extra,
    },
  };
}

const judge = (c: Candidate, text: string, over: Partial<JudgeContext> = {}): Decision =>
  judgeCandidate(c, ctx(text, over), { threshold: 0.7 });
const verdictOf = (d: Decision) => `${d.verdict} ${d.reason}`;

describe('findings for every rule', () => {
  it('drops a suppressed, an ignored and a protected finding before judging it', () => {
    const text = '// selfreview-ignore-next-line unused-local\nconst x = 1;\nexport {};\n';
    expect(verdictOf(judge(local('x', 2), text))).toBe('drop suppressed');
    const plain = 'export function f() {\n  const x = 1;\n}\n';
    expect(verdictOf(judge(local('x', 2), plain, { ignoredPath: true }))).toBe('drop ignored_path');
    expect(verdictOf(judge(local('x', 2), plain, { protectedPath: true }))).toBe('drop protected_path');
  });

  it('remembers: recently fixed, rejected or failed is dropped; failed twice needs a human', () => {
    const plain = 'export function f() {\n  const x = 1;\n}\n';
    expect(
      verdictOf(
        judge(local('x', 2), plain, { memory: { outcome: 'fixed', at: NOW - 3 * DAY, failures: 0 } }),
      ),
    ).toBe('drop recently_fixed');
    expect(
      verdictOf(judge(local('x', 2), plain, { memory: { outcome: 'rejected', at: NOW - DAY, failures: 0 } })),
    ).toBe('drop recently_rejected');
    expect(
      verdictOf(judge(local('x', 2), plain, { memory: { outcome: 'failed', at: NOW, failures: 2 } })),
    ).toBe('defer needs_human');
    // Outside the 14-day window the finding is judged afresh.
    expect(
      verdictOf(
        judge(local('x', 2), plain, { memory: { outcome: 'fixed', at: NOW - 15 * DAY, failures: 0 } }),
      ),
    ).toBe('fix unused_local');
    expect(memoryVerdict(undefined, NOW, 14)).toBeUndefined();
  });
});

describe('suppression comments', () => {
  it.each([
    ['// selfreview-ignore-next-line\nx', 2, 'unused-local', true],
    ['// selfreview-ignore-next-line todo-comment, unused-local\nx', 2, 'unused-local', true],
    ['// selfreview-ignore-next-line todo-comment\nx', 2, 'unused-local', false],
    ['// selfreview-ignore-next-line unused-local\n/** doc */\nx', 3, 'unused-local', true],
    ['// selfreview-ignore-next-line unused-local\ncode();\nx', 3, 'unused-local', false],
    ['// selfreview-ignore-file unused-import\n\n\nx', 4, 'unused-import', true],
    ['// selfreview-ignore-file unused-import\n\n\nx', 4, 'unused-local', false],
  ] as const)('%j line %i %s -> %s', (text, line, rule, expected) => {
    expect(isSuppressed(text, line, rule)).toBe(expected);
  });
});

describe('hasSideEffects', () => {
  const expr = (code: string): ts.Expression => {
    const sf = ts.createSourceFile('e.ts', `(${code});`, ts.ScriptTarget.Latest, true);
    return (sf.statements[0] as ts.ExpressionStatement).expression;
  };
  it.each([
    '1',
    "'a'",
    '`t`',
    'x',
    '() => f()',
    'function () { g(); }',
    '[1, x]',
    '{ a: 1, b }',
    'a ? 1 : 2',
    '!x',
    'typeof x',
    'a + 1',
    'x as number',
  ])('%s is inert', (code) => expect(hasSideEffects(expr(code))).toBe(false));
  it.each([
    'f()',
    'new K()',
    'await p',
    'x = 1',
    'x++',
    '--x',
    'o.a',
    'o[k]',
    '[...xs]',
    '{ ...o }',
    'delete o.a',
    'tag`x`',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source under test is a template literal
    '`${f()}`',
    "'a' in o",
    'class {}',
  ])('%s may do something', (code) => expect(hasSideEffects(expr(code))).toBe(true));
});

describe('RepoIndex', () => {
  const index = RepoIndex.build(
    new Map([
      [
        'src/math.ts',
        'export function sum() {}\nexport const pi = 3;\nfunction hidden() {}\nexport { hidden as shown };\nexport default 1;\n',
      ],
      ['src/util/index.ts', 'export type Id = string;\nexport class Widget {}\n'],
      [
        'src/app.ts',
        "import { sum } from './math';\nimport * as u from './util';\nimport def from './math.js';\n",
      ],
      ['src/other.ts', 'export const sum = 2;\n'],
    ]),
  );
  it('knows who exports a name', () => {
    expect(index.exportersOf('sum')).toEqual(['src/math.ts', 'src/other.ts']);
    expect(index.exportersOf('sum', 'src/other.ts')).toEqual(['src/math.ts']);
    expect(index.exportersOf('shown')).toEqual(['src/math.ts']);
    expect(index.exportersOf('hidden')).toEqual([]);
    expect(index.exportersOf('Id')).toEqual(['src/util/index.ts']);
  });
  it('knows whether a name is exported as a type or as a value, for writing its import', () => {
    const types = RepoIndex.build(
      new Map([
        [
          'src/t.ts',
          'interface Shape {}\ntype Alias = 1;\ninterface Both {}\nconst Both = 1;\nexport { Shape, Alias as Renamed, Both };\nexport type { Widget } from "./w";\n',
        ],
      ]),
    );
    const source = (name: string) => types.importSource(name, 'src/t.ts');
    expect(source('Shape')).toEqual({ module: 'src/t.ts', typeOnly: true, isDefault: false });
    expect(source('Renamed')?.typeOnly).toBe(true);
    expect(source('Both')?.typeOnly).toBe(false);
    expect(source('Widget')?.typeOnly).toBe(true);
    expect(source('Missing')).toBeUndefined();
    expect(index.importSource('Id', 'src/util/index.ts')?.typeOnly).toBe(true);
    expect(index.importSource('Widget', 'src/util/index.ts')?.typeOnly).toBe(false);
  });
  it('knows who imports a name from a file, namespace imports included', () => {
    expect(index.importersOf('src/math.ts', 'sum')).toEqual(['src/app.ts']);
    expect(index.importersOf('src/math.ts', 'default')).toEqual(['src/app.ts']);
    expect(index.importersOf('src/math.ts', 'pi')).toEqual([]);
    expect(index.importersOf('src/util/index.ts', 'Widget')).toEqual(['src/app.ts']);
  });
  it('answers alike whichever question comes first, though it parses a file only when asked to', () => {
    const files = new Map([
      // Names spelled with escapes, and a default export without the word.
      ['src/escaped.ts', 'const a = 1;\nexport { a as "\\x73um" };\nexport const \\u0070i = 3;\n'],
      ['src/equals.ts', 'const b = 2;\nexport = b;\n'],
      ['src/type.ts', 'export type sum = 1;\ninterface pi {}\nexport { pi };\n'],
      ['src/user.ts', "import { sum } from './escaped';\nimport * as e from './equals';\n"],
    ]);
    const questions: [string, (i: RepoIndex) => unknown][] = [
      ['exporters of sum', (i) => i.exportersOf('sum')],
      ['exporters of pi', (i) => i.exportersOf('pi', 'src/type.ts')],
      ['exporters of default', (i) => i.exportersOf('default')],
      ['import source of sum', (i) => i.importSource('sum', 'src/type.ts')],
      ['import source of pi', (i) => i.importSource('pi', 'src/escaped.ts')],
      ['importers of sum', (i) => i.importersOf('src/escaped.ts', 'sum')],
      ['importers of default', (i) => i.importersOf('src/equals.ts', 'default')],
    ];
    const expected = [
      ['src/escaped.ts', 'src/type.ts'],
      ['src/escaped.ts'],
      ['src/equals.ts'],
      { module: 'src/type.ts', typeOnly: true, isDefault: false },
      { module: 'src/escaped.ts', typeOnly: false, isDefault: false },
      ['src/user.ts'],
      ['src/user.ts'],
    ];
    for (let first = 0; first < questions.length; first++) {
      const fresh = RepoIndex.build(files);
      const order = [first, ...questions.keys()].filter((q, i) => i === 0 || q !== first);
      for (const q of order) {
        expect([questions[q]?.[0], questions[q]?.[1](fresh)]).toEqual([questions[q]?.[0], expected[q]]);
      }
    }
  });
});
