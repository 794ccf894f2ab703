import { describe, expect, it } from 'vitest';
import { unused, unusedNames } from './scan-helpers.ts';

describe('unused-import: references (not a candidate)', () => {
  it.each([
    { kind: 'value call', source: "import { X } from './x';\nX();\n" },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the string is TypeScript source under test
    { kind: 'template substitution', source: "import { X } from './x';\nexport const s = `${X}`;\n" },
    { kind: 'type annotation', source: "import { X } from './x';\nlet v: X;\nexport { v };\n" },
    { kind: 'type argument', source: "import { X } from './x';\nexport const m = new Map<string, X>();\n" },
    { kind: 'qualified type left side', source: "import * as NS from './ns';\nexport let v: NS.T;\n" },
    { kind: 'typeof', source: "import { X } from './x';\nexport type T = typeof X;\n" },
    { kind: 'typeof qualified', source: "import * as NS from './ns';\nexport type T = typeof NS.value;\n" },
    { kind: 'property access object', source: "import * as path from 'node:path';\npath.join('a');\n" },
    { kind: 'decorator call', source: "import { Dec } from './d';\n@Dec()\nexport class A {}\n" },
    { kind: 'bare decorator', source: "import { Dec } from './d';\n@Dec\nexport class A {}\n" },
    { kind: 'member decorator', source: "import { Dec } from './d';\nexport class A {\n  @Dec m() {}\n}\n" },
    { kind: 'export { X }', source: "import { X } from './x';\nexport { X };\n" },
    { kind: 'export { X as Y }', source: "import { X } from './x';\nexport { X as Y };\n" },
    { kind: 'export type { X }', source: "import { X } from './x';\nexport type { X };\n" },
    { kind: 'export default X', source: "import { X } from './x';\nexport default X;\n" },
    { kind: 'export = X', source: "import X = require('x');\nexport = X;\n" },
    { kind: 'shorthand property', source: "import { X } from './x';\nexport const o = { X };\n" },
    { kind: 'computed property name', source: "import { X } from './x';\nexport const o = { [X]: 1 };\n" },
    { kind: 'computed member name', source: "import { X } from './x';\nexport class A {\n  [X]() {}\n}\n" },
    {
      kind: 'computed binding key',
      source: "import { X } from './x';\nconst { [X]: y } = {};\nexport { y };\n",
    },
    {
      kind: 'destructuring default',
      source: "import { X } from './x';\nconst { y = X } = {} as { y?: number };\nexport { y };\n",
    },
    { kind: 'extends clause', source: "import { Base } from './b';\nexport class A extends Base {}\n" },
    { kind: 'implements clause', source: "import type { I } from './i';\nexport class A implements I {}\n" },
    { kind: 'interface extends', source: "import type { I } from './i';\nexport interface J extends I {}\n" },
    { kind: 'import A = B.C', source: "import { B } from './b';\nimport A = B.C;\nexport { A };\n" },
    { kind: 'import A = B', source: "import { B } from './b';\nimport A = B;\nexport { A };\n" },
    {
      kind: 'local shadowing (name-based check)',
      source: "import { x } from './x';\nexport function f(x: number) {\n  return x;\n}\n",
    },
  ])('$kind', ({ source }) => {
    expect(unused(source)).toEqual([]);
  });

  it.each([
    { kind: 'JSX tag', source: "import { Foo } from './foo';\nexport const e = <Foo />;\n" },
    {
      kind: 'JSX element with children',
      source: "import { Foo } from './foo';\nexport const e = <Foo>hi</Foo>;\n",
    },
    {
      kind: 'JSX member tag',
      source: "import * as UI from './ui';\nexport const e = <UI.Button>hi</UI.Button>;\n",
    },
    {
      kind: 'JSX attribute value',
      source: "import { X } from './x';\nexport const e = <input value={X} />;\n",
    },
    {
      kind: 'JSX spread attribute',
      source: "import { props } from './p';\nexport const e = <input {...props} />;\n",
    },
    { kind: 'React with a JSX element', source: "import React from 'react';\nexport const e = <div />;\n" },
    { kind: 'React with a fragment', source: "import * as React from 'react';\nexport const e = <></>;\n" },
    {
      kind: 'the @jsx pragma root',
      source: "/** @jsx h */\nimport { h } from 'preact';\nexport const e = <div />;\n",
    },
    {
      kind: 'the @jsx pragma root of a dotted factory',
      source: "/** @jsx Preact.h */\nimport * as Preact from 'preact';\nexport const e = <div />;\n",
    },
    {
      kind: 'the @jsxFrag pragma root with a fragment',
      source:
        "/** @jsx h @jsxFrag Fragment */\nimport { Fragment, h } from 'preact';\nexport const e = <></>;\n",
    },
  ])('$kind (.tsx)', ({ source }) => {
    expect(unused(source, 'src/view.tsx')).toEqual([]);
  });
});

describe('unused-import: positions that are not references', () => {
  it.each([
    { kind: 'import declaration alone', source: "import { X } from './x';\n", names: ['X'] },
    {
      kind: 'property access name',
      source: "import { X } from './x';\ndeclare const a: any;\na.X;\n",
      names: ['X'],
    },
    {
      kind: 'qualified name right side',
      source: "import { X } from './x';\nimport * as NS from './ns';\nexport let v: NS.X;\n",
      names: ['X'],
    },
    {
      kind: 'class property name',
      source: "import { X } from './x';\nexport class A {\n  X = 1;\n}\n",
      names: ['X'],
    },
    {
      kind: 'class method name',
      source: "import { X } from './x';\nexport class A {\n  X() {}\n}\n",
      names: ['X'],
    },
    {
      kind: 'accessor names',
      source: "import { X } from './x';\nexport class A {\n  get X() { return 1; }\n  set X(_v) {}\n}\n",
      names: ['X'],
    },
    {
      kind: 'interface member names',
      source: "import { X, Y } from './x';\nexport interface I {\n  X: string;\n  Y(): void;\n}\n",
      names: ['X', 'Y'],
    },
    {
      kind: 'enum member name',
      source: "import { X } from './x';\nexport enum E {\n  X,\n}\n",
      names: ['X'],
    },
    {
      kind: 'object literal key',
      source: "import { X } from './x';\nexport const o = { X: 1 };\n",
      names: ['X'],
    },
    {
      kind: 'binding element property name',
      source: "import { X } from './x';\nconst { X: y } = { X: 1 };\nexport { y };\n",
      names: ['X'],
    },
    {
      kind: 'label',
      source: "import { X } from './x';\nX: for (;;) {\n  break X;\n}\n",
      names: ['X'],
    },
    {
      kind: 'parameter name',
      source: "import { x } from './x';\nexport function f(x: number) {}\n",
      names: ['x'],
    },
    {
      kind: 're-export from another module',
      source: "import { X } from './x';\nexport { X } from './m';\n",
      names: ['X'],
    },
    {
      kind: 'import type qualifier',
      source: "import { X } from './x';\nexport type T = import('./m').X;\n",
      names: ['X'],
    },
    {
      kind: 'React without JSX',
      source: "import React from 'react';\nexport const n = 1;\n",
      names: ['React'],
    },
  ])('$kind', ({ source, names }) => {
    expect(unusedNames(source)).toEqual(names);
  });

  it.each([
    {
      kind: 'JSX attribute name',
      source: "import { title } from './t';\nexport const e = <p title='a' />;\n",
      names: ['title'],
    },
    {
      kind: 'intrinsic element name',
      source: "import { div } from './d';\nexport const e = <div />;\n",
      names: ['div'],
    },
    {
      kind: 'React when a pragma names another factory',
      source:
        "/** @jsx h */\nimport React from 'react';\nimport { h } from 'preact';\nexport const e = <div />;\n",
      names: ['React'],
    },
  ])('$kind (.tsx)', ({ source, names }) => {
    expect(unusedNames(source, 'src/view.tsx')).toEqual(names);
  });
});
