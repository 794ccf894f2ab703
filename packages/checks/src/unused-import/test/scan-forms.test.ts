import { describe, expect, it } from 'vitest';
import { ruleInput, scanText } from '../../lib/test/helpers.ts';
import { CheckCandidate } from '../../registry.ts';
import { unusedImport } from '../index.ts';
import { scan } from '../scan.ts';
import { unused, unusedNames } from './scan-helpers.ts';

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
