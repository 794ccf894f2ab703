import { ts } from '@selfreview/shared/compiler';
import { describe, expect, it } from 'vitest';
import { importStyleFor, moduleExports, specifierFor } from './module-shape.ts';
import { applyInjections, type PlanInput, planInjections } from './planner.ts';

const SOURCES = [
  {
    path: 'src/money.ts',
    text: [
      "import { clamp } from './math.js';",
      '',
      "export type Currency = 'EUR' | 'USD';",
      'export interface Money { amount: number; currency: Currency }',
      'export const ZERO: Money = { amount: 0, currency: "EUR" };',
      'export function add(a: Money, b: Money): Money {',
      '  return { amount: clamp(a.amount + b.amount), currency: a.currency };',
      '}',
      '',
    ].join('\n'),
  },
  {
    path: 'src/math.ts',
    text: [
      'function limit(): number {',
      '  return 1e9;',
      '}',
      '',
      'export function clamp(x: number): number {',
      '  return Math.min(x, limit());',
      '}',
      'export default function twice(x: number) {',
      '  return x * 2;',
      '}',
      '',
    ].join('\n'),
  },
  {
    path: 'src/cart.ts',
    text: [
      "import { add, ZERO, type Money } from './money.js';",
      '',
      'function sum(items: readonly Money[]): Money {',
      '  return items.reduce(add, ZERO);',
      '}',
      '',
      'export function total(items: readonly Money[]): Money {',
      '  return sum(items);',
      '}',
      '',
    ].join('\n'),
  },
  { path: 'tools/other/main.ts', text: 'export const OTHER = 1;\n' },
];

const INPUT: PlanInput = {
  sources: SOURCES,
  eligible: ['src/money.ts', 'src/math.ts', 'src/cart.ts'],
  packageRoots: ['.', 'tools/other'],
  seed: 42,
  files: 3,
};

describe('moduleExports', () => {
  it('lists named exports with whether they are types, without the default export', () => {
    expect(moduleExports(SOURCES[0]!)).toEqual([
      { name: 'Currency', typeOnly: true },
      { name: 'Money', typeOnly: true },
      { name: 'ZERO', typeOnly: false },
      { name: 'add', typeOnly: false },
    ]);
    expect(moduleExports(SOURCES[1]!)).toEqual([{ name: 'clamp', typeOnly: false }]);
  });

  it('counts `export { local }` and `export type { T }` but not re-exports', () => {
    const text =
      "const a = 1; type T = string;\nexport { a };\nexport type { T };\nexport { b } from './b';\n";
    expect(moduleExports({ path: 'x.ts', text })).toEqual([
      { name: 'a', typeOnly: false },
      { name: 'T', typeOnly: true },
    ]);
  });
});

describe('import specifiers', () => {
  it('follow the style of the file, else of its folder', () => {
    const ts = new Map(
      [
        { path: 'a/one.ts', text: "import { x } from './two.ts';\n" },
        { path: 'a/two.ts', text: 'export const x = 1;\n' },
        { path: 'b/three.ts', text: "import { y } from '../c/four';\n" },
      ].map((s) => [s.path, parseForTest(s)]),
    );
    expect(importStyleFor('a/one.ts', ts)).toBe('.ts');
    expect(importStyleFor('a/two.ts', ts)).toBe('.ts');
    expect(importStyleFor('b/three.ts', ts)).toBe('');
  });

  it('are relative paths with the chosen extension', () => {
    expect(specifierFor('src/a/x.ts', 'src/b/y.tsx', '.js')).toBe('../b/y.js');
    expect(specifierFor('src/x.ts', 'src/y.ts', '.ts')).toBe('./y.ts');
    expect(specifierFor('src/x.ts', 'src/lib/index.ts', '')).toBe('./lib/index');
  });
});

describe('planInjections', () => {
  it('is deterministic for a seed', () => {
    expect(planInjections(INPUT)).toEqual(planInjections(INPUT));
  });

  it('injects into the requested number of eligible files, with names new to each file', () => {
    const plan = planInjections(INPUT);
    const files = new Set(plan.injections.map((i) => i.file));
    expect(files.size).toBe(3);
    for (const inj of plan.injections) {
      const original = SOURCES.find((s) => s.path === inj.file)!.text;
      expect(original).not.toMatch(new RegExp(`\\b${inj.name}\\b`));
    }
  });

  it('imports real exports of other modules of the same package, in the repository style', () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const inj of planInjections({ ...INPUT, seed }).injections) {
        if (inj.kind !== 'unused-import' && inj.kind !== 'unused-type-import') continue;
        const m = /^import (type )?\{ (\w+) \} from '(\.[^']+)';\n$/.exec(inj.insert);
        expect(m, inj.insert).not.toBeNull();
        expect(Boolean(m![1])).toBe(inj.kind === 'unused-type-import');
        expect(m![3]).toMatch(/^\.\/(money|math|cart)\.js$/);
        const target = `src/${m![3]!.slice(2, -3)}.ts`;
        expect(target).not.toBe(inj.file);
        const exported = moduleExports(SOURCES.find((s) => s.path === target)!);
        const found = exported.find((e) => e.name === inj.name);
        expect(found, `${inj.name} exported by ${target}`).toBeDefined();
        // A type-only export imported without `import type` breaks verbatimModuleSyntax.
        if (found!.typeOnly) expect(inj.kind).toBe('unused-type-import');
      }
    }
  });

  it('never imports an export named with a leading underscore, which the compiler counts as unused on purpose', () => {
    const sources = [
      { path: 'src/api.ts', text: 'export const _null = 1;\nexport const kept = 2;\n' },
      { path: 'src/use.ts', text: 'export function f(): number {\n  return 1;\n}\n' },
    ];
    const imported = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const plan = planInjections({ sources, eligible: ['src/use.ts'], packageRoots: ['.'], seed, files: 1 });
      for (const inj of plan.injections) if (inj.kind.endsWith('import')) imported.add(inj.name);
    }
    expect([...imported]).toEqual(['kept']);
  });

  it('adds parameters only to functions that are not exported, and after the last one', () => {
    const params = Array.from({ length: 20 }, (_, seed) => planInjections({ ...INPUT, seed }).injections)
      .flat()
      .filter((i) => i.kind === 'unused-parameter');
    expect(params.length).toBeGreaterThan(0);
    for (const p of params) {
      const { text } = applyInjections(SOURCES.find((s) => s.path === p.file)!.text, [p]);
      expect(text).toMatch(
        p.file === 'src/math.ts'
          ? new RegExp(`^function limit\\(${p.name}\\?: \\w+\\)`, 'm')
          : new RegExp(`^function sum\\(items: readonly Money\\[\\], ${p.name}\\?: \\w+\\)`, 'm'),
      );
    }
  });

  it('reports files that offer no place to inject', () => {
    const plan = planInjections({
      ...INPUT,
      sources: [...SOURCES, { path: 'src/empty.ts', text: '' }],
      eligible: ['src/empty.ts'],
      packageRoots: ['src'],
    });
    // Its only possible import comes from its own package; an empty file has no function either.
    expect(plan.injections.map((i) => i.kind)).toEqual(['unused-import']);
    const isolated = planInjections({
      sources: [{ path: 'lone.ts', text: 'export const a = 1;\n' }],
      eligible: ['lone.ts'],
      packageRoots: ['.'],
      seed: 1,
      files: 1,
    });
    expect(isolated).toEqual({ injections: [], skipped: ['lone.ts'] });
  });
});

describe('applyInjections', () => {
  it('records the line each injected text ends up on', () => {
    for (let seed = 0; seed < 10; seed++) {
      const plan = planInjections({ ...INPUT, seed });
      for (const file of new Set(plan.injections.map((i) => i.file))) {
        const original = SOURCES.find((s) => s.path === file)!.text;
        const { text, entries } = applyInjections(
          original,
          plan.injections.filter((i) => i.file === file),
        );
        const lines = text.split('\n');
        for (const e of entries) expect(lines[e.line - 1]).toContain(e.text);
      }
    }
  });

  it('applies a subset on the original text, so a dropped injection leaves no trace', () => {
    const plan = planInjections(INPUT);
    const file = plan.injections[0]!.file;
    const original = SOURCES.find((s) => s.path === file)!.text;
    expect(applyInjections(original, []).text).toBe(original);
  });
});

function parseForTest(s: { path: string; text: string }): ts.SourceFile {
  return ts.createSourceFile(s.path, s.text, ts.ScriptTarget.Latest, true);
}
