import type { FixItem } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { CODEMOD_FILE, codemodItem } from '../../lib/test/helpers.ts';
import { checkOfChangeType } from '../../registry.ts';
import { removeUnusedImport } from '../codemod.ts';
import type { UnusedImportEvidence } from '../schema.ts';

type Form = UnusedImportEvidence['form'];

function item(name: string, moduleSpecifier: string, form: Form = 'named', file = CODEMOD_FILE): FixItem {
  const evidence: UnusedImportEvidence = {
    kind: 'unused-import',
    name,
    importedName: form === 'default' ? 'default' : form === 'namespace' ? '*' : name,
    form,
    moduleSpecifier,
    typeOnly: false,
    statement: '',
  };
  return codemodItem(removeUnusedImport, evidence, {
    id: `unused-import:${file}:${moduleSpecifier}:${name}`,
    message: `'${name}' is imported but never used`,
    file,
    confidence: 0.95,
  });
}

function run(text: string, items: FixItem[], file = CODEMOD_FILE) {
  return removeUnusedImport.apply({ file, text, items });
}

describe('remove_unused_import', () => {
  it.each([
    {
      title: 'a named specifier among several',
      input: "import { a, b, c } from './m';\nuse(a, c);\n",
      items: [item('b', './m')],
      expected: "import { a, c } from './m';\nuse(a, c);\n",
      lines: [1],
    },
    {
      title: 'the first named specifier',
      input: "import { a, b } from './m';\nuse(b);\n",
      items: [item('a', './m')],
      expected: "import { b } from './m';\nuse(b);\n",
      lines: [1],
    },
    {
      title: 'the final named specifiers',
      input: "import { a, b, c } from './m';\nuse(a);\n",
      items: [item('b', './m'), item('c', './m')],
      expected: "import { a } from './m';\nuse(a);\n",
      lines: [1],
    },
    {
      title: 'the last named specifier, with the whole declaration',
      input: "import { x } from './x';\nimport { a } from './m';\nuse(x);\n",
      items: [item('a', './m')],
      expected: "import { x } from './x';\nuse(x);\n",
      lines: [2],
    },
    {
      title: 'a default import alone',
      input: "import React from 'react';\nexport const x = 1;\n",
      items: [item('React', 'react', 'default')],
      expected: 'export const x = 1;\n',
      lines: [1],
    },
    {
      title: 'a named specifier next to a kept default',
      input: "import React, { useState } from 'react';\nReact.render();\n",
      items: [item('useState', 'react')],
      expected: "import React from 'react';\nReact.render();\n",
      lines: [1],
    },
    {
      title: 'a default import next to a kept named specifier',
      input: "import React, { useState } from 'react';\nuseState(0);\n",
      items: [item('React', 'react', 'default')],
      expected: "import { useState } from 'react';\nuseState(0);\n",
      lines: [1],
    },
    {
      title: 'a namespace import',
      input: "import * as path from 'node:path';\nexport const x = 1;\n",
      items: [item('path', 'node:path', 'namespace')],
      expected: 'export const x = 1;\n',
      lines: [1],
    },
    {
      title: 'a namespace import next to a kept default',
      input: "import d, * as ns from './m';\nd();\n",
      items: [item('ns', './m', 'namespace')],
      expected: "import d from './m';\nd();\n",
      lines: [1],
    },
    {
      title: 'a specifier of an `import type` declaration',
      input: "import type { A, B } from './types';\nlet b: B;\n",
      items: [item('A', './types')],
      expected: "import type { B } from './types';\nlet b: B;\n",
      lines: [1],
    },
    {
      title: 'an inline `type` specifier',
      input: "import { type A, b } from './m';\nb();\n",
      items: [item('A', './m')],
      expected: "import { b } from './m';\nb();\n",
      lines: [1],
    },
    {
      title: 'an aliased specifier, by its local name',
      input: "import { x as y, z } from './m';\nz();\n",
      items: [item('y', './m')],
      expected: "import { z } from './m';\nz();\n",
      lines: [1],
    },
    {
      title: 'an import-equals declaration',
      input: "import fs = require('fs');\nexport const x = 1;\n",
      items: [item('fs', 'fs', 'import-equals')],
      expected: 'export const x = 1;\n',
      lines: [1],
    },
    {
      title: 'two items in two declarations',
      input: "import { a, b } from './m';\nimport c from './c';\nimport { d } from './d';\nuse(a, d);\n",
      items: [item('b', './m'), item('c', './c', 'default')],
      expected: "import { a } from './m';\nimport { d } from './d';\nuse(a, d);\n",
      lines: [1, 2],
    },
    {
      title: 'a declaration below a comment, keeping the comment',
      input:
        "// The app's entry point.\n/* Styles first. */\nimport { a } from './m';\nimport './styles.css';\nrun();\n",
      items: [item('a', './m')],
      expected: "// The app's entry point.\n/* Styles first. */\nimport './styles.css';\nrun();\n",
      lines: [3],
    },
    {
      title: 'a declaration with a directive above it, taking the directive along',
      input: "// @ts-expect-error untyped\nimport { a } from 'legacy';\nrun();\n",
      items: [item('a', 'legacy')],
      expected: 'run();\n',
      lines: [1, 2],
    },
    {
      title: 'a declaration with a block directive above it',
      input:
        "import x from './x';\n/* eslint-disable-next-line import/no-unresolved */\nimport { a } from 'legacy';\nx();\n",
      items: [item('a', 'legacy')],
      expected: "import x from './x';\nx();\n",
      lines: [2, 3],
    },
    {
      title: 'a declaration with a trailing comment on its line',
      input: "import { a } from './m'; // eslint-disable-line\nrun();\n",
      items: [item('a', './m')],
      expected: 'run();\n',
      lines: [1],
    },
    {
      title: 'a declaration between blank lines, without leaving two blank lines',
      input: "import x from './x';\n\nimport { a } from './m';\n\nx();\n",
      items: [item('a', './m')],
      expected: "import x from './x';\n\nx();\n",
      lines: [3],
    },
    {
      title: 'the only import, without leaving a blank first line',
      input: "import { a } from './m';\n\nexport const x = 1;\n",
      items: [item('a', './m')],
      expected: 'export const x = 1;\n',
      lines: [1],
    },
    {
      title: 'a specifier of a multi-line import with a trailing comma',
      input: "import {\n  a,\n  b, // about b\n  c,\n} from './m';\nuse(a, c);\n",
      items: [item('b', './m')],
      expected: "import {\n  a,\n  c,\n} from './m';\nuse(a, c);\n",
      lines: [1, 2, 3, 4, 5],
    },
    {
      title: 'the last specifier of a multi-line import with a trailing comma',
      input: "import {\n  a, // about a\n  b,\n} from './m';\nuse(a);\n",
      items: [item('b', './m')],
      expected: "import {\n  a, // about a\n} from './m';\nuse(a);\n",
      lines: [1, 2, 3, 4],
    },
    {
      title: 'the last specifier of a multi-line import without a trailing comma',
      input: "import {\n  a, // about a\n  b\n} from './m';\nuse(a);\n",
      items: [item('b', './m')],
      expected: "import {\n  a // about a\n} from './m';\nuse(a);\n",
      lines: [1, 2, 3, 4],
    },
    {
      title: 'the first specifier of a multi-line import, with its leading comment',
      input: "import {\n  // about a\n  a,\n  b,\n} from './m';\nuse(b);\n",
      items: [item('a', './m')],
      expected: "import {\n  b,\n} from './m';\nuse(b);\n",
      lines: [1, 2, 3, 4, 5],
    },
    {
      title: 'every specifier of a multi-line import, with the whole declaration',
      input: "import x from './x';\nimport {\n  a,\n  b,\n} from './m';\nx();\n",
      items: [item('b', './m'), item('a', './m')],
      expected: "import x from './x';\nx();\n",
      lines: [2, 3, 4, 5],
    },
    {
      title: 'a default import next to an empty named list, with the whole declaration',
      input: "import d, {} from './m';\nrun();\n",
      items: [item('d', './m', 'default')],
      expected: 'run();\n',
      lines: [1],
    },
    {
      title: 'an import-equals alias of a namespace, keeping the namespace import',
      input: "import * as NS from './ns';\nimport Inner = NS.Inner;\nrun();\n",
      items: [item('Inner', 'NS.Inner', 'import-equals')],
      expected: "import * as NS from './ns';\nrun();\n",
      lines: [2],
    },
    {
      title: 'a declaration sharing its line with another statement',
      input: "import a from './a'; import b from './b';\nb();\n",
      items: [item('a', './a', 'default')],
      expected: "import b from './b';\nb();\n",
      lines: [1],
    },
    {
      title: 'CRLF line endings',
      input: "import { a } from './m';\r\nimport { b, c } from './n';\r\nc();\r\n",
      items: [item('a', './m'), item('b', './n')],
      expected: "import { c } from './n';\r\nc();\r\n",
      lines: [1, 2],
    },
  ])('removes $title', ({ input, items, expected, lines }) => {
    const result = run(input, items);
    expect(result.text).toBe(expected);
    expect(result.linesAffected).toEqual(lines);
    expect(result.applied).toEqual(items.map((i) => i.candidate.id));
    expect(result.skipped).toEqual([]);
  });

  it('keeps a byte order mark', () => {
    const result = run("\uFEFFimport { a, b } from './m';\nb();\n", [item('a', './m')]);
    expect(result.text).toBe("\uFEFFimport { b } from './m';\nb();\n");
  });

  it('parses .tsx files with JSX', () => {
    const input = "import { A, B } from './ui';\nexport const x = <A prop={1} />;\n";
    const result = run(input, [item('B', './ui', 'named', 'src/x.tsx')], 'src/x.tsx');
    expect(result.text).toBe("import { A } from './ui';\nexport const x = <A prop={1} />;\n");
  });

  it('never touches a side-effect import of the same module', () => {
    const input = "import './m';\nimport { a } from './m';\nrun();\n";
    const result = run(input, [item('a', './m')]);
    expect(result.text).toBe("import './m';\nrun();\n");
    expect(result.linesAffected).toEqual([2]);
  });

  it('skips a binding that is no longer imported as not_found', () => {
    const input = "import './m';\nimport { b } from './m';\nimport { a } from './other';\nuse(b);\n";
    const result = run(input, [item('a', './m')]);
    expect(result).toEqual({
      text: input,
      linesAffected: [],
      applied: [],
      skipped: [{ candidateId: item('a', './m').candidate.id, reason: 'not_found' }],
    });
  });

  it.each([
    ['a call', 'a();'],
    ['a type position', 'let x: a.T;'],
    ['typeof', 'type T = typeof a;'],
    ['a shorthand property', 'const o = { a };'],
    ['a local export', 'export { a };'],
    ['an aliased local export', 'export { a as b };'],
    ['an element access', 'o[a];'],
    ['a default export', 'export default a;'],
    ['a JSDoc link', '/** Like {@link a.method}. */\nexport const x = 1;'],
    ['a JSX element', 'const el = <a.Item />;'],
  ])('skips a name used in %s as still_referenced', (_, use) => {
    const input = `import { a } from './m';\n${use}\n`;
    const file = use.includes('<') ? 'src/example.tsx' : CODEMOD_FILE;
    const result = run(input, [item('a', './m', 'named', file)], file);
    expect(result.text).toBe(input);
    expect(result.applied).toEqual([]);
    expect(result.skipped).toEqual([
      { candidateId: item('a', './m', 'named', file).candidate.id, reason: 'still_referenced' },
    ]);
  });

  it.each([
    ['a property access', 'o.a();'],
    ['an object key', 'const o = { a: 1 };'],
    ['a class member', 'class C { a = 1; a2() {} }'],
    ['an interface member', 'interface I { a: string; a2(): void }'],
    ['a qualified type name', 'let x: NS.a;'],
    ['a re-export from another module', "export { a } from './other';"],
    ['an export alias', 'const z = 1;\nexport { z as a };'],
    ['a destructuring key', 'const { a: renamed } = o;'],
    ['a label', 'a: for (;;) { break a; }'],
    ['a comment', '// a is not needed here\n/** Nor is a. */\nexport const x = 1;'],
    ['a string', "const s = 'a';"],
  ])('does not count %s as a use', (_, use) => {
    const input = `import { a } from './m';\n${use}\n`;
    const result = run(input, [item('a', './m')]);
    expect(result.text).toBe(`${use}\n`);
    expect(result.applied).toEqual([item('a', './m').candidate.id]);
  });

  it('applies what it can and reports the rest', () => {
    const input = "import { a, b, c } from './m';\nb();\n";
    const items = [item('a', './m'), item('b', './m'), item('gone', './m'), item('a', './m')];
    const result = run(input, items);
    expect(result.text).toBe("import { b, c } from './m';\nb();\n");
    expect(result.applied).toEqual([items[0]!.candidate.id]);
    expect(result.skipped).toEqual([
      { candidateId: items[1]!.candidate.id, reason: 'still_referenced' },
      { candidateId: items[2]!.candidate.id, reason: 'not_found' },
      { candidateId: items[3]!.candidate.id, reason: 'duplicate' },
    ]);
  });

  it('skips an exported import-equals declaration', () => {
    const input = "export import fs = require('fs');\n";
    const result = run(input, [item('fs', 'fs', 'import-equals')]);
    expect(result.text).toBe(input);
    expect(result.skipped[0]?.reason).toBe('exported');
  });

  it('skips items for another file', () => {
    const input = "import { a } from './m';\n";
    const result = run(input, [item('a', './m', 'named', 'src/other.ts')]);
    expect(result.text).toBe(input);
    expect(result.skipped[0]?.reason).toBe('unsupported_item');
  });

  it('is registered for its change type', () => {
    expect(checkOfChangeType('remove_unused_import')?.fix.codemod).toBe(removeUnusedImport);
  });
});
