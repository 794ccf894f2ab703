import { ts } from '@selfreview/shared/compiler';
import { describe, expect, it } from 'vitest';
import type { ScanFinding, ScanInput, TestIndex } from '../../lib/scan.ts';
import { scan } from '../scan.ts';
import type { UntestedExportEvidence, UntestedExportOptions } from '../schema.ts';

function testIndex(names: readonly string[] = [], testFiles = 3): TestIndex {
  return { testFiles, referencedNames: new Set(names) };
}

function inputOf(
  text: string,
  tests: TestIndex | null = testIndex(),
  { isTestFile = false, file = 'src/m.ts' } = {},
): ScanInput<UntestedExportOptions> {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return {
    file,
    text,
    sourceFile,
    semantic: null,
    options: { testFiles: [] },
    tests,
    isTestFile,
  };
}

function analyze(text: string, tests?: TestIndex | null, opts?: { isTestFile?: boolean; file?: string }) {
  return scan.analyze(inputOf(text, tests, opts));
}

interface Found {
  name: string;
  exportKind: string;
  line: number;
  endLine: number;
}

function found(findings: ScanFinding<UntestedExportEvidence>[]): Found[] {
  return findings.map((f) => {
    if (f.evidence.kind !== 'untested-export') throw new Error(`unexpected evidence ${f.evidence.kind}`);
    return { name: f.evidence.name, exportKind: f.evidence.exportKind, line: f.line, endLine: f.endLine };
  });
}

function untested(lines: readonly string[], referenced: readonly string[] = []): Found[] {
  return found(analyze([...lines, ''].join('\n'), testIndex(referenced)));
}

function untestedNames(lines: readonly string[], referenced: readonly string[] = []): string[] {
  return untested(lines, referenced).map((f) => `${f.exportKind} ${f.name}`);
}

describe('untested-export: export forms', () => {
  it.each([
    { form: 'export function', lines: ['export function parse() {}'], expected: 'function parse', line: 1 },
    {
      form: 'export async generator function',
      lines: ['export async function* stream() {}'],
      expected: 'function stream',
      line: 1,
    },
    { form: 'export class', lines: ['export class Parser {}'], expected: 'class Parser', line: 1 },
    {
      form: 'export abstract class',
      lines: ['export abstract class Base {}'],
      expected: 'class Base',
      line: 1,
    },
    {
      form: 'named export default function',
      lines: ['export default function main() {}'],
      expected: 'function main',
      line: 1,
    },
    {
      form: 'anonymous export default function',
      lines: ['export default function () {}'],
      expected: 'function default',
      line: 1,
    },
    {
      form: 'named export default class',
      lines: ['export default class Service {}'],
      expected: 'class Service',
      line: 1,
    },
    {
      form: 'anonymous export default class',
      lines: ['export default class {}'],
      expected: 'class default',
      line: 1,
    },
    {
      form: 'export default arrow',
      lines: ['export default () => 1;'],
      expected: 'function default',
      line: 1,
    },
    { form: 'export const arrow', lines: ['export const f = () => 1;'], expected: 'function f', line: 1 },
    {
      form: 'export const function expression',
      lines: ['export const g = function () {};'],
      expected: 'function g',
      line: 1,
    },
    {
      form: 'export let async arrow with a type assertion',
      lines: ['export let h = (async () => {}) as Handler;'],
      expected: 'function h',
      line: 1,
    },
    {
      form: 'export const class expression',
      lines: ['export const K = class {};'],
      expected: 'class K',
      line: 1,
    },
    {
      form: 'second declarator of an export const',
      lines: ['export const limit = 3,', '  check = () => true;'],
      expected: 'function check',
      line: 2,
    },
    {
      form: 'export { f } after the declaration',
      lines: ['function local() {}', 'export { local };'],
      expected: 'function local',
      line: 1,
    },
    {
      form: 'export { f } before the declaration',
      lines: ['export { later };', 'function later() {}'],
      expected: 'function later',
      line: 2,
    },
    {
      form: 'export { f as g }',
      lines: ['function local() {}', 'export { local as renamed };'],
      expected: 'function renamed',
      line: 1,
    },
    {
      form: 'export { C as D }',
      lines: ['class Local {}', 'export { Local as Public };'],
      expected: 'class Public',
      line: 1,
    },
    {
      form: 'export { arrow }',
      lines: ['const arrow = () => 1;', 'export { arrow };'],
      expected: 'function arrow',
      line: 1,
    },
    {
      form: 'export default of a local name',
      lines: ['const handler = () => 1;', 'export default handler;'],
      expected: 'function handler',
      line: 1,
    },
    {
      form: 'export { f as default }',
      lines: ['function run() {}', 'export { run as default };'],
      expected: 'function run',
      line: 1,
    },
  ])('reports $form as $expected', ({ lines, expected, line }) => {
    const result = untested(lines);
    expect(result.map((f) => `${f.exportKind} ${f.name}`)).toEqual([expected]);
    expect(result[0]?.line).toBe(line);
  });

  it.each([
    { form: 'an unexported function', lines: ['function f() {}'] },
    { form: 'an unexported arrow', lines: ['const f = () => 1;'] },
    { form: 'an exported value', lines: ['export const value = 42;'] },
    { form: 'an exported object of functions', lines: ['export const api = { run() {} };'] },
    { form: 'exported types', lines: ['export type T = () => void;', 'export interface I { run(): void }'] },
    { form: 'an exported enum', lines: ['export enum Color { Red }'] },
    { form: 'a re-export', lines: ["export { parse } from './parse.ts';"] },
    { form: 'a star re-export', lines: ["export * from './parse.ts';", "export * as ns from './ns.ts';"] },
    { form: 'an export of an import', lines: ["import { parse } from './parse.ts';", 'export { parse };'] },
    { form: 'a type-only export', lines: ['class Local {}', 'export type { Local };'] },
    { form: 'a type-only export specifier', lines: ['class Local {}', 'export { type Local };'] },
    {
      form: 'an ambient declaration',
      lines: ['export declare function f(): void;', 'export declare class C {}'],
    },
    {
      form: 'a function exported from a namespace',
      lines: ['namespace N {', '  export function f() {}', '}'],
    },
  ])('ignores $form', ({ lines }) => {
    expect(untested(lines)).toEqual([]);
  });

  it('accepts either the local or the exported name as tested', () => {
    const lines = ['function local() {}', 'export { local as renamed };'];
    expect(untestedNames(lines, ['local'])).toEqual([]);
    expect(untestedNames(lines, ['renamed'])).toEqual([]);
    expect(untestedNames(lines, ['other'])).toEqual(['function renamed']);
  });

  it('reports a thing exported under two names once, by its first exported name', () => {
    const lines = ['export function parse() {}', 'export { parse as parseConfig };'];
    expect(untestedNames(lines)).toEqual(['function parse']);
    expect(untestedNames(lines, ['parseConfig'])).toEqual([]);
  });

  it('matches a named default export by its local name only', () => {
    expect(untestedNames(['export default function main() {}'], ['main'])).toEqual([]);
    expect(untestedNames(['export default function main() {}'], ['default'])).toEqual(['function main']);
    expect(untestedNames(['export default function () {}'], ['default'])).toEqual([]);
  });

  it('reports overloads once, spanning every signature', () => {
    const lines = [
      'export function parse(a: string): number;', // 1
      'export function parse(a: number): number;',
      'export function parse(a: string | number): number {',
      '  return Number(a);',
      '}', // 5
    ];
    expect(untested(lines)).toEqual([{ name: 'parse', exportKind: 'function', line: 1, endLine: 5 }]);
  });

  it('reports the exports in the order they are declared', () => {
    const lines = ['export { b };', 'export function a() {}', 'function b() {}', 'export class C {}'];
    expect(untestedNames(lines)).toEqual(['function a', 'function b', 'class C']);
  });
});

describe('untested-export: tested names', () => {
  it('does not report an export a test mentions', () => {
    const lines = ['export function parse() {}', 'export function format() {}'];
    expect(untestedNames(lines, ['parse'])).toEqual(['function format']);
    expect(untestedNames(lines, ['parse', 'format'])).toEqual([]);
  });

  it('matches names exactly and case-sensitively', () => {
    expect(untestedNames(['export function parse() {}'], ['Parse', 'parser', 'parse_'])).toEqual([
      'function parse',
    ]);
  });
});

describe('untested-export: methods of exported classes', () => {
  const parser = [
    'export class Parser {', // 1
    '  constructor() {}',
    '  parse() {}', // 3
    '  public format() {}', // 4
    '  static create() {', // 5
    '    return new Parser();',
    '  }', // 7
    '  private helper() {}',
    '  protected hook() {}',
    '  #secret() {}',
    '  get size() { return 0; }',
    '  set size(v: number) {}',
    '  handler = () => {};',
    '  [Symbol.iterator]() {}',
    '}', // 15
  ];

  it('reports the class and each public method, not private, protected or #private ones', () => {
    expect(untested(parser)).toEqual([
      { name: 'Parser', exportKind: 'class', line: 1, endLine: 15 },
      { name: 'Parser.parse', exportKind: 'method', line: 3, endLine: 3 },
      { name: 'Parser.format', exportKind: 'method', line: 4, endLine: 4 },
      { name: 'Parser.create', exportKind: 'method', line: 5, endLine: 7 },
    ]);
  });

  it('does not report a method whose name a test mentions', () => {
    expect(untestedNames(parser, ['Parser', 'parse', 'create'])).toEqual(['method Parser.format']);
  });

  it('reports an untested method of a tested class', () => {
    expect(untestedNames(['export class A {', '  run() {}', '}'], ['A'])).toEqual(['method A.run']);
  });

  it('reports nothing for a tested class whose methods are all tested', () => {
    expect(untestedNames(['export class A {', '  run() {}', '}'], ['A', 'run'])).toEqual([]);
  });

  it('reports overloaded methods once', () => {
    const lines = [
      'export class A {',
      '  run(a: string): void;', // 2
      '  run(a: number): void;',
      '  run(a: unknown) {}', // 4
      '}',
    ];
    expect(untested(lines, ['A'])).toEqual([{ name: 'A.run', exportKind: 'method', line: 2, endLine: 4 }]);
  });

  it('skips abstract methods but reports concrete ones', () => {
    const lines = ['export abstract class Base {', '  abstract run(): void;', '  start() {}', '}'];
    expect(untestedNames(lines, ['Base'])).toEqual(['method Base.start']);
  });

  it('does not report methods of a class that is not exported', () => {
    expect(untestedNames(['class Hidden {', '  run() {}', '}'])).toEqual([]);
  });

  it('names methods by the exported name of the class', () => {
    expect(
      untestedNames(['class Local {', '  run() {}', '}', 'export { Local as Public };'], ['Public']),
    ).toEqual(['method Public.run']);
    expect(untestedNames(['export default class {', '  run() {}', '}'], ['default'])).toEqual([
      'method default.run',
    ]);
    expect(untestedNames(['export const K = class {', '  run() {}', '};'], ['K'])).toEqual(['method K.run']);
  });
});

describe('untested-export: when it does not run', () => {
  const lines = 'export function parse() {}\nexport class Parser {\n  run() {}\n}\n';

  it('reports nothing in a test file', () => {
    expect(analyze(lines, testIndex(), { isTestFile: true })).toEqual([]);
    expect(analyze(lines, testIndex(), { isTestFile: false })).toHaveLength(3);
  });

  it('reports nothing when tests were not indexed', () => {
    expect(analyze(lines, null)).toEqual([]);
  });

  it('reports nothing in a declaration file', () => {
    expect(analyze(lines, testIndex(), { file: 'src/m.d.ts' })).toEqual([]);
  });
});

describe('untested-export: finding', () => {
  it('gives the evidence, message and fingerprint', () => {
    expect(analyze('\nexport function parse() {\n  return 1;\n}\n', testIndex(['other'], 7))).toEqual([
      {
        rule: 'untested-export',
        file: 'src/m.ts',
        line: 2,
        endLine: 4,
        message: "exported function 'parse' is not referred to by any test file",
        evidence: { kind: 'untested-export', name: 'parse', exportKind: 'function', testFiles: 7 },
        fingerprint: 'function:parse',
      },
    ]);
  });

  it('says so when the repository has no test files', () => {
    const findings = analyze('export class A {\n  run() {}\n}\n', testIndex([], 0));
    expect(findings.map((f) => [f.message, f.fingerprint])).toEqual([
      [
        "exported class 'A' is not referred to by any test file (the repository has no test files)",
        'class:A',
      ],
      [
        "exported method 'A.run' is not referred to by any test file (the repository has no test files)",
        'method:A.run',
      ],
    ]);
    expect(findings.map((f) => f.evidence)).toEqual([
      { kind: 'untested-export', name: 'A', exportKind: 'class', testFiles: 0 },
      { kind: 'untested-export', name: 'A.run', exportKind: 'method', testFiles: 0 },
    ]);
  });
});
