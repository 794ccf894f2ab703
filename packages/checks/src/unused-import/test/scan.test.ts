import { describe, expect, it } from 'vitest';
import { ruleInput, scanText } from '../../lib/test/helpers.ts';
import { CheckCandidate, evidenceOf } from '../../registry.ts';
import { unusedImport } from '../index.ts';
import { scan } from '../scan.ts';

interface Found {
  name: string;
  importedName: string;
  form: string;
  moduleSpecifier: string;
  typeOnly: boolean;
  line: number;
  endLine: number;
}

function unused(source: string, file = 'src/m.ts'): Found[] {
  const result = scanText(unusedImport, file, source);
  // A fixture that does not parse would pass every "no candidate" case vacuously.
  expect(result.warning).toBeUndefined();
  return result.candidates.map((c) => {
    const e = evidenceOf(c);
    if (e.kind !== 'unused-import') throw new Error(`unexpected evidence ${e.kind}`);
    const { name, importedName, form, moduleSpecifier, typeOnly } = e;
    return { name, importedName, form, moduleSpecifier, typeOnly, line: c.line, endLine: c.endLine };
  });
}

function unusedNames(source: string, file?: string): string[] {
  return unused(source, file).map((f) => f.name);
}

describe('unused-import: import forms', () => {
  it.each([
    {
      form: 'default',
      source: "import foo from './foo';\n",
      expected: {
        name: 'foo',
        importedName: 'default',
        form: 'default',
        moduleSpecifier: './foo',
        typeOnly: false,
      },
    },
    {
      form: 'named',
      source: "import { foo } from './foo';\n",
      expected: {
        name: 'foo',
        importedName: 'foo',
        form: 'named',
        moduleSpecifier: './foo',
        typeOnly: false,
      },
    },
    {
      form: 'aliased named',
      source: "import { foo as bar } from './foo';\n",
      expected: {
        name: 'bar',
        importedName: 'foo',
        form: 'named',
        moduleSpecifier: './foo',
        typeOnly: false,
      },
    },
    {
      form: 'named default',
      source: "import { default as Foo } from './foo';\n",
      expected: {
        name: 'Foo',
        importedName: 'default',
        form: 'named',
        moduleSpecifier: './foo',
        typeOnly: false,
      },
    },
    {
      form: 'string import name',
      source: "import { 'a-b' as ab } from './foo';\n",
      expected: { name: 'ab', importedName: 'a-b', form: 'named', moduleSpecifier: './foo', typeOnly: false },
    },
    {
      form: 'namespace',
      source: "import * as ns from 'node:path';\n",
      expected: {
        name: 'ns',
        importedName: '*',
        form: 'namespace',
        moduleSpecifier: 'node:path',
        typeOnly: false,
      },
    },
    {
      form: 'import-equals',
      source: "import fs = require('fs');\n",
      expected: {
        name: 'fs',
        importedName: 'default',
        form: 'import-equals',
        moduleSpecifier: 'fs',
        typeOnly: false,
      },
    },
    {
      form: 'import type default',
      source: "import type Foo from './foo';\n",
      expected: {
        name: 'Foo',
        importedName: 'default',
        form: 'default',
        moduleSpecifier: './foo',
        typeOnly: true,
      },
    },
    {
      form: 'import type named',
      source: "import type { Foo } from './foo';\n",
      expected: { name: 'Foo', importedName: 'Foo', form: 'named', moduleSpecifier: './foo', typeOnly: true },
    },
    {
      form: 'import type namespace',
      source: "import type * as T from './types';\n",
      expected: {
        name: 'T',
        importedName: '*',
        form: 'namespace',
        moduleSpecifier: './types',
        typeOnly: true,
      },
    },
    {
      form: 'import type equals',
      source: "import type fs = require('fs');\n",
      expected: {
        name: 'fs',
        importedName: 'default',
        form: 'import-equals',
        moduleSpecifier: 'fs',
        typeOnly: true,
      },
    },
  ])('reports an unused $form import', ({ source, expected }) => {
    expect(unused(source)).toEqual([{ ...expected, line: 1, endLine: 1 }]);
  });

  it('marks only the inline `type` specifier as type-only', () => {
    const source = "import { type Foo, bar, type Baz } from './foo';\nlet b: Baz;\nbar(b);\n";
    expect(unused(source)).toEqual([
      {
        name: 'Foo',
        importedName: 'Foo',
        form: 'named',
        moduleSpecifier: './foo',
        typeOnly: true,
        line: 1,
        endLine: 1,
      },
    ]);
  });

  it.each([
    { unusedOne: 'Def', source: "import Def, { used } from './m';\nused();\n" },
    { unusedOne: 'used', source: "import Def, { used } from './m';\nDef();\n" },
    { unusedOne: 'ns', source: "import Def, * as ns from './m';\nDef();\n" },
  ])('reports only $unusedOne of a mixed default+named import', ({ source, unusedOne }) => {
    expect(unusedNames(source)).toEqual([unusedOne]);
  });

  it('reports each unused binding of one declaration with the declaration lines', () => {
    const source = "const first = 1;\nimport {\n  a,\n  b,\n  c,\n} from './abc';\nb(first);\n";
    expect(unused(source).map((f) => [f.name, f.line, f.endLine])).toEqual([
      ['a', 2, 6],
      ['c', 2, 6],
    ]);
  });

  it('builds message and evidence from the declaration', () => {
    const source = "// header\nimport { foo, type Bar as B } from './bar';\n";
    const { candidates } = scanText(unusedImport, 'src/x.ts', source);
    expect(candidates.map(({ id: _id, ...rest }) => rest)).toEqual([
      {
        rule: 'unused-import',
        file: 'src/x.ts',
        line: 2,
        endLine: 2,
        message: "'foo' is imported from './bar' but never used",
        evidence: {
          kind: 'unused-import',
          name: 'foo',
          importedName: 'foo',
          form: 'named',
          moduleSpecifier: './bar',
          typeOnly: false,
          statement: "import { foo, type Bar as B } from './bar';",
        },
      },
      {
        rule: 'unused-import',
        file: 'src/x.ts',
        line: 2,
        endLine: 2,
        message: "'B' is imported from './bar' but never used",
        evidence: {
          kind: 'unused-import',
          name: 'B',
          importedName: 'Bar',
          form: 'named',
          moduleSpecifier: './bar',
          typeOnly: true,
          statement: "import { foo, type Bar as B } from './bar';",
        },
      },
    ]);
    for (const candidate of candidates) expect(() => CheckCandidate.parse(candidate)).not.toThrow();
  });

  it.each([
    { what: 'side-effect import', source: "import './polyfill';\n" },
    { what: 'side-effect import of a style sheet', source: "import './styles.css';\n" },
    { what: 'an exported import-equals', source: "export import fs = require('fs');\n" },
  ])('never reports $what', ({ source }) => {
    expect(unused(source)).toEqual([]);
  });

  it('reports an unused namespace alias, with the entity name as its module', () => {
    // The compiler reports `import A = N.v` as unused too; scan must not report less.
    expect(unused('namespace N { export const v = 1; }\nimport A = N.v;\n')).toEqual([
      {
        name: 'A',
        importedName: 'default',
        form: 'import-equals',
        moduleSpecifier: 'N.v',
        typeOnly: false,
        line: 2,
        endLine: 2,
      },
    ]);
  });

  it('uses the same fingerprint for a binding wherever its import sits', () => {
    const source = "import { foo } from './bar';\n";
    const shifted = `\n\n${source}`;
    const fingerprints = [source, shifted].map((text) =>
      scan.analyze(ruleInput(unusedImport, 'a.ts', text)).map((f) => f.fingerprint),
    );
    expect(fingerprints[0]).toEqual(fingerprints[1]);
    expect(fingerprints[0]).toHaveLength(1);
  });
});

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
