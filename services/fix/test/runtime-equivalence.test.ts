import { ts } from '@selfreview/shared/compiler';
import { describe, expect, it } from 'vitest';
import { emittedJavaScript, runtimeUnchanged, withoutUnobservableCode } from '../src/runtime-equivalence.ts';

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

  it('holds when a local that nothing reads and that holds a literal is removed', () => {
    const before = 'export function f() {\n  const retryCount = 0;\n  return 1;\n}\n';
    const after = 'export function f() {\n  return 1;\n}\n';
    expect(runtimeUnchanged([{ file: 'src/a.ts', before, after }], options)).toEqual({ unchanged: true });
  });

  it('holds when an unread trailing parameter of a private function is removed', () => {
    const before =
      'function pad(s: string, verbose?: boolean) {\n  return s;\n}\nexport const a = pad("x");\n';
    const after = 'function pad(s: string) {\n  return s;\n}\nexport const a = pad("x");\n';
    expect(runtimeUnchanged([{ file: 'src/a.ts', before, after }], options)).toEqual({ unchanged: true });
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

describe('withoutUnobservableCode', () => {
  it('drops unread trailing parameters of a function only called by name, and keeps the rest', () => {
    const js = [
      'function f(a, verbose, quiet) {\n    return a;\n}',
      'function g(a, b) {\n    return a + b;\n}',
      'function h(a, d = log()) {\n    return a;\n}',
      'function k(a, unread) {\n    return a;\n}',
      'function r(a, ...rest) {\n    return a;\n}',
      'export function e(a, unread2) {\n    return a;\n}',
      'f(1, 2);\nf(f(3));\ng(1, 2);\nh(1);\nk(1);\nconsole.log(k.length);\nr(1);\n',
    ].join('\n');
    expect(withoutUnobservableCode(js)).toBe(
      [
        'function f(a) {\n    return a;\n}',
        'function g(a, b) {\n    return a + b;\n}',
        'function h(a, d = log()) {\n    return a;\n}',
        'function k(a, unread) {\n    return a;\n}',
        'function r(a, ...rest) {\n    return a;\n}',
        'export function e(a, unread2) {\n    return a;\n}',
        'f(1, 2);\nf(f(3));\ng(1, 2);\nh(1);\nk(1);\nconsole.log(k.length);\nr(1);\n',
      ].join('\n'),
    );
  });

  it('drops every parameter when none is read', () => {
    expect(withoutUnobservableCode('function f(x, y) {\n    return 1;\n}\nf();\n')).toBe(
      'function f() {\n    return 1;\n}\nf();\n',
    );
  });

  it('removes only literal bindings whose name is written nowhere else', () => {
    const js =
      'function f() {\n    const a = 0;\n    let b;\n    const c = "x";\n    var d = -1, e = void 0;\n    const used = 2;\n    return used + c.length;\n}\n';
    expect(withoutUnobservableCode(js)).toBe(
      'function f() {\n    const c = "x";\n    const used = 2;\n    return used + c.length;\n}\n',
    );
  });

  it('keeps bindings to anything but a literal, exported ones and names written elsewhere, even as a property', () => {
    const js = 'export const a = 1;\nconst b = g();\nconst c = [];\nconst d = 3;\nh.d = 1;\n';
    expect(withoutUnobservableCode(js)).toBe(js);
  });

  it('keeps everything in a file with eval or with, which can read a local by a computed name', () => {
    const js = 'function f(s) {\n    const a = 0;\n    return eval(s);\n}\n';
    expect(withoutUnobservableCode(js)).toBe(js);
    const sloppy = 'function f(o) {\n    const a = 0;\n    with (o) { return 1; }\n}\n';
    expect(withoutUnobservableCode(sloppy)).toBe(sloppy);
  });
});
