import { ts } from '@selfreview/shared/compiler';
import { describe, expect, it } from 'vitest';
import { emittedJavaScript, runtimeUnchanged } from '../src/runtime-equivalence.ts';

const ESM: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 };
const options = () => ESM;

describe('emittedJavaScript', () => {
  it('elides an import no value position uses', () => {
    expect(emittedJavaScript('a.ts', "import { b } from './b';\nexport const a = 1;\n", ESM)).toBe(
      'export const a = 1;\n',
    );
  });

  it('emits nothing for a declaration file', () => {
    expect(emittedJavaScript('a.d.ts', 'export declare const a: number;\n', ESM)).toBe('');
  });
});

describe('runtimeUnchanged', () => {
  const base = "import { b } from './b';\nimport type { C } from './c';\nexport const a = 1;\n";

  it('holds when an unused import and an import type are removed', () => {
    expect(
      runtimeUnchanged([{ file: 'src/a.ts', before: base, after: 'export const a = 1;\n' }], options),
    ).toEqual({ unchanged: true });
  });

  it('does not hold when a statement that runs is removed', () => {
    const before = 'export function f() {\n  const spare = g();\n  return 1;\n}\n';
    const after = 'export function f() {\n  return 1;\n}\n';
    expect(runtimeUnchanged([{ file: 'src/a.ts', before, after }], options)).toEqual({
      unchanged: false,
      why: 'src/a.ts compiles to different JavaScript',
    });
  });

  it('does not hold when a comment changes (comments are kept in the comparison)', () => {
    const before = '// TODO: drop\nexport const a = 1;\n';
    expect(
      runtimeUnchanged([{ file: 'a.ts', before, after: 'export const a = 1;\n' }], options),
    ).toMatchObject({
      unchanged: false,
    });
  });

  it('does not hold under verbatimModuleSyntax, which keeps every import', () => {
    const verbatim = () => ({ ...ESM, verbatimModuleSyntax: true });
    expect(
      runtimeUnchanged([{ file: 'a.ts', before: base, after: 'export const a = 1;\n' }], verbatim),
    ).toEqual({
      unchanged: false,
      why: "a.ts's project keeps every import (verbatimModuleSyntax)",
    });
  });

  it('does not hold for a new, deleted or JavaScript file, or one without options, or no change at all', () => {
    const text = 'export const a = 1;\n';
    expect(runtimeUnchanged([{ file: 'a.ts', before: null, after: text }], options)).toEqual({
      unchanged: false,
      why: 'a.ts is new',
    });
    expect(runtimeUnchanged([{ file: 'a.ts', before: text, after: null }], options)).toEqual({
      unchanged: false,
      why: 'a.ts is deleted',
    });
    expect(runtimeUnchanged([{ file: 'a.js', before: text, after: text }], options)).toEqual({
      unchanged: false,
      why: 'a.js is not a TypeScript source',
    });
    expect(runtimeUnchanged([{ file: 'a.ts', before: text, after: text }], () => null)).toEqual({
      unchanged: false,
      why: 'no compiler options for a.ts',
    });
    expect(runtimeUnchanged([], options)).toEqual({ unchanged: false, why: 'no change to compare' });
  });

  it('needs every file to be the same: one changed file is enough to run the tests', () => {
    const changes = [
      { file: 'a.ts', before: base, after: 'export const a = 1;\n' },
      { file: 'b.ts', before: 'export const b = 1;\n', after: 'export const b = 2;\n' },
    ];
    expect(runtimeUnchanged(changes, options)).toEqual({
      unchanged: false,
      why: 'b.ts compiles to different JavaScript',
    });
  });
});
