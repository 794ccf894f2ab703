import type { FixItem } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { CODEMOD_FILE, codemodItem } from '../../lib/test/helpers.ts';
import { addMissingImport, addMissingImportCodemod, type Exporter, moduleSpecifierFor } from '../codemod.ts';
import type { UndefinedIdentifierEvidence } from '../schema.ts';

function item(name: string, file = CODEMOD_FILE): FixItem {
  const evidence: UndefinedIdentifierEvidence = {
    kind: 'undefined-identifier',
    name,
    code: 2304,
    compilerMessage: `Cannot find name '${name}'.`,
    lineText: '',
  };
  return codemodItem(addMissingImportCodemod, evidence, {
    id: `undefined-identifier:${file}:${name}`,
    message: `Cannot find name '${name}'.`,
    file,
    confidence: 0.8,
  });
}

function todoItem(): FixItem {
  return codemodItem(
    addMissingImportCodemod,
    { kind: 'todo-comment', tag: 'TODO', text: 'add it later', context: [] },
    { id: 'todo:src/example.ts:1', message: 'TODO', confidence: 0.8 },
  );
}

const value = (module: string): Exporter => ({ module, typeOnly: false, isDefault: false });
const type = (module: string): Exporter => ({ module, typeOnly: true, isDefault: false });
const dflt = (module: string): Exporter => ({ module, typeOnly: false, isDefault: true });

const EXPORTERS = new Map<string, Exporter>([
  ['add', value('src/math.ts')],
  ['sub', value('src/math.ts')],
  ['Vec', type('src/math.ts')],
  ['clamp', value('src/lib/clamp.ts')],
  ['Config', type('src/config.ts')],
  ['Parser', dflt('src/parser.ts')],
  ['helper', value('src/helpers/index.ts')],
  ['root', value('lib/root.ts')],
  ['self', value(CODEMOD_FILE)],
]);

function run(
  text: string,
  items: FixItem[],
  file = CODEMOD_FILE,
  exporters: ReadonlyMap<string, Exporter> = EXPORTERS,
) {
  return addMissingImport({ file, text, items, exporters });
}

describe('add_missing_import', () => {
  it.each([
    {
      title: 'a new import after the existing imports',
      input: "import { x } from './x';\nimport y from './y';\n\nexport const z = add(x, y);\n",
      items: [item('add')],
      expected:
        "import { x } from './x';\nimport y from './y';\nimport { add } from './math';\n\nexport const z = add(x, y);\n",
      lines: [3],
    },
    {
      title: 'a name merged into an existing import of the same module',
      input: "import { sub } from './math';\nimport { x } from './x';\nexport const z = add(sub(x, 1), 2);\n",
      items: [item('add')],
      expected:
        "import { sub, add } from './math';\nimport { x } from './x';\nexport const z = add(sub(x, 1), 2);\n",
      lines: [1],
    },
    {
      title: 'a name merged into an import written with another extension style',
      input:
        "import { sub } from './math.js';\nimport { x } from './x';\nexport const z = add(sub(x, 1), 2);\n",
      items: [item('add')],
      expected:
        "import { sub, add } from './math.js';\nimport { x } from './x';\nexport const z = add(sub(x, 1), 2);\n",
      lines: [1],
    },
    {
      title: 'a name merged into a multi-line import with a trailing comma',
      input: "import {\n  sub,\n  Vec, // a type\n} from './math';\nadd(sub);\n",
      items: [item('add')],
      expected: "import {\n  sub,\n  Vec, // a type\n  add,\n} from './math';\nadd(sub);\n",
      lines: [1, 2, 3, 4],
    },
    {
      title: 'a name merged into a multi-line import without a trailing comma',
      input: "import {\n  sub // the other one\n} from './math';\nadd(sub);\n",
      items: [item('add')],
      expected: "import {\n  sub, // the other one\n  add\n} from './math';\nadd(sub);\n",
      lines: [1, 2, 3],
    },
    {
      title: 'a name merged into a tight import',
      input: "import {sub} from './math';\nadd(sub);\n",
      items: [item('add')],
      expected: "import {sub, add} from './math';\nadd(sub);\n",
      lines: [1],
    },
    {
      title: 'a name merged into a default import of the same module',
      input: "import math from './math';\nadd(math);\n",
      items: [item('add')],
      expected: "import math, { add } from './math';\nadd(math);\n",
      lines: [1],
    },
    {
      title: 'a value name, not merged into an `import type` of the same module',
      input: "import type { Vec } from './math';\nexport const v: Vec = add(1, 2);\n",
      items: [item('add')],
      expected:
        "import type { Vec } from './math';\nimport { add } from './math';\nexport const v: Vec = add(1, 2);\n",
      lines: [2],
    },
    {
      title: 'a type merged into an `import type` of the same module',
      input: "import { add } from './math';\nimport type { Other } from './math';\nlet v: Vec = add(1, 2);\n",
      items: [item('Vec')],
      expected:
        "import { add } from './math';\nimport type { Other, Vec } from './math';\nlet v: Vec = add(1, 2);\n",
      lines: [2],
    },
    {
      title: 'a type merged into a value import with an inline `type`',
      input: "import { add } from './math';\nlet v: Vec = add(1, 2);\n",
      items: [item('Vec')],
      expected: "import { add, type Vec } from './math';\nlet v: Vec = add(1, 2);\n",
      lines: [1],
    },
    {
      title: 'a type-only export as `import type`',
      input: "import { x } from './x';\nexport const c: Config = x;\n",
      items: [item('Config')],
      expected:
        "import { x } from './x';\nimport type { Config } from './config';\nexport const c: Config = x;\n",
      lines: [2],
    },
    {
      title: 'a default export',
      input: "import { x } from './x';\nexport const p = new Parser(x);\n",
      items: [item('Parser')],
      expected: "import { x } from './x';\nimport Parser from './parser';\nexport const p = new Parser(x);\n",
      lines: [2],
    },
    {
      title: 'two names from one module, in one declaration',
      input: "import { x } from './x';\nexport const z = add(sub(x, 1), 2);\n",
      items: [item('add'), item('sub')],
      expected:
        "import { x } from './x';\nimport { add, sub } from './math';\nexport const z = add(sub(x, 1), 2);\n",
      lines: [2],
    },
    {
      title: 'a value and a type from one module, in one declaration',
      input: "import { x } from './x';\nexport const v: Vec = add(x, 2);\n",
      items: [item('Vec'), item('add')],
      expected:
        "import { x } from './x';\nimport { type Vec, add } from './math';\nexport const v: Vec = add(x, 2);\n",
      lines: [2],
    },
    {
      title: 'names from two modules, one declaration each',
      input: "import { x } from './x';\nexport const z = clamp(add(x, 1));\n",
      items: [item('add'), item('clamp')],
      expected:
        "import { x } from './x';\nimport { add } from './math';\nimport { clamp } from './lib/clamp';\nexport const z = clamp(add(x, 1));\n",
      lines: [2],
    },
    {
      title: 'one merged and one new declaration',
      input: "import { sub } from './math';\nexport const z = clamp(add(sub(1, 2), 1));\n",
      items: [item('add'), item('clamp')],
      expected:
        "import { sub, add } from './math';\nimport { clamp } from './lib/clamp';\nexport const z = clamp(add(sub(1, 2), 1));\n",
      lines: [1, 2],
    },
    {
      title: 'an index module and a parent-directory module',
      input: "import { x } from './x';\nexport const z = helper(root(x));\n",
      items: [item('helper'), item('root')],
      expected:
        "import { x } from './x';\nimport { helper } from './helpers';\nimport { root } from '../lib/root';\nexport const z = helper(root(x));\n",
      lines: [2],
    },
    {
      title: 'an import at the top of a file without imports',
      input: 'export const z = add(1, 2);\n',
      items: [item('add')],
      expected: "import { add } from './math';\n\nexport const z = add(1, 2);\n",
      lines: [1],
    },
    {
      title: 'an import after a leading licence comment',
      input: '/*\n * Copyright Example.\n */\n\nexport const z = add(1, 2);\n',
      items: [item('add')],
      expected:
        "/*\n * Copyright Example.\n */\n\nimport { add } from './math';\n\nexport const z = add(1, 2);\n",
      lines: [5],
    },
    {
      title: 'an import above a doc comment attached to the first statement',
      input: '// Licence.\n\n/** Sums. */\nexport const z = add(1, 2);\n',
      items: [item('add')],
      expected: "// Licence.\n\nimport { add } from './math';\n\n/** Sums. */\nexport const z = add(1, 2);\n",
      lines: [3],
    },
    {
      title: 'an import after a shebang',
      input: '#!/usr/bin/env node\nconsole.log(add(1, 2));\n',
      items: [item('add')],
      expected: "#!/usr/bin/env node\nimport { add } from './math';\n\nconsole.log(add(1, 2));\n",
      lines: [2],
    },
    {
      title: "an import after a 'use strict' directive",
      input: "'use strict';\nconsole.log(add(1, 2));\n",
      items: [item('add')],
      expected: "'use strict';\nimport { add } from './math';\n\nconsole.log(add(1, 2));\n",
      lines: [2],
    },
    {
      title: 'the .js extension style of the file',
      input: "import { x } from './x.js';\nimport { readFile } from 'node:fs';\nadd(x, readFile);\n",
      items: [item('add')],
      expected:
        "import { x } from './x.js';\nimport { readFile } from 'node:fs';\nimport { add } from './math.js';\nadd(x, readFile);\n",
      lines: [3],
    },
    {
      title: 'the .ts extension style of the file',
      input: "import { x } from '../x.ts';\nhelper(x);\n",
      items: [item('helper')],
      expected: "import { x } from '../x.ts';\nimport { helper } from './helpers/index.ts';\nhelper(x);\n",
      lines: [2],
    },
    {
      title: 'double quotes',
      input: 'import { x } from "./x";\nadd(x);\n',
      items: [item('add')],
      expected: 'import { x } from "./x";\nimport { add } from "./math";\nadd(x);\n',
      lines: [2],
    },
    {
      title: 'double quotes and no semicolons, with no imports',
      input: 'const s = "text"\nadd(s)\n',
      items: [item('add')],
      expected: 'import { add } from "./math"\n\nconst s = "text"\nadd(s)\n',
      lines: [1],
    },
    {
      title: 'no semicolons',
      input: "import { x } from './x'\nadd(x)\n",
      items: [item('add')],
      expected: "import { x } from './x'\nimport { add } from './math'\nadd(x)\n",
      lines: [2],
    },
    {
      title: 'semicolons when the file shows no preference',
      input: 'function f() {\n  return add(1, 2)\n}\n',
      items: [item('add')],
      expected: "import { add } from './math';\n\nfunction f() {\n  return add(1, 2)\n}\n",
      lines: [1],
    },
    {
      title: 'after an import on the last line',
      input: "add(x);\nimport { x } from './x';\n",
      items: [item('add')],
      expected: "add(x);\nimport { x } from './x';\nimport { add } from './math';\n",
      lines: [2],
    },
    {
      title: 'after an import on the last line without a line break',
      input: "export const z = add(x);\nimport { x } from './x';",
      items: [item('add')],
      expected: "export const z = add(x);\nimport { x } from './x';\nimport { add } from './math';",
      lines: [2],
    },
    {
      title: 'CRLF line endings',
      input: "import { x } from './x';\r\n\r\nexport const z = add(x, Parser);\r\n",
      items: [item('add'), item('Parser')],
      expected:
        "import { x } from './x';\r\nimport { add } from './math';\r\nimport Parser from './parser';\r\n\r\nexport const z = add(x, Parser);\r\n",
      lines: [2],
    },
    {
      title: 'CRLF line endings in a file without imports',
      input: '// Licence.\r\n\r\nadd(1, 2);\r\n',
      items: [item('add')],
      expected: "// Licence.\r\n\r\nimport { add } from './math';\r\n\r\nadd(1, 2);\r\n",
      lines: [3],
    },
  ])('adds $title', ({ input, items, expected, lines }) => {
    const result = run(input, items);
    expect(result.text).toBe(expected);
    expect(result.linesAffected).toEqual(lines);
    expect(result.applied).toEqual(items.map((i) => i.candidate.id));
    expect(result.skipped).toEqual([]);
  });

  it('adds a default and a type default from one module in one declaration', () => {
    const exporters = new Map<string, Exporter>([
      ['Main', { module: 'src/m.ts', typeOnly: true, isDefault: true }],
      ['Opts', { module: 'src/m.ts', typeOnly: true, isDefault: false }],
    ]);
    const result = run('let a: Main; let b: Opts;\n', [item('Main'), item('Opts')], CODEMOD_FILE, exporters);
    expect(result.text).toBe(
      "import type { default as Main, Opts } from './m';\n\nlet a: Main; let b: Opts;\n",
    );
  });

  it('keeps a byte order mark', () => {
    const result = run('\uFEFFadd(1, 2);\n', [item('add')]);
    expect(result.text).toBe("\uFEFFimport { add } from './math';\n\nadd(1, 2);\n");
  });

  it('parses .tsx files with JSX', () => {
    const input = "import { x } from './x';\nexport const el = <div>{add(x)}</div>;\n";
    const result = run(input, [item('add', 'src/view.tsx')], 'src/view.tsx');
    expect(result.text).toBe(
      "import { x } from './x';\nimport { add } from './math';\nexport const el = <div>{add(x)}</div>;\n",
    );
  });

  it.each([
    ['another kind of item', todoItem(), 'unsupported_item'],
    ['an item for another file', item('add', 'src/other.ts'), 'unsupported_item'],
    ['a name without a known exporter', item('mystery'), 'exporter_unknown'],
  ])('skips %s', (_, it_, reason) => {
    const input = 'add(mystery);\n';
    const result = run(input, [it_]);
    expect(result).toEqual({
      text: input,
      linesAffected: [],
      applied: [],
      skipped: [{ candidateId: it_.candidate.id, reason }],
    });
  });

  it.each([
    ['a named import', "import { add } from './elsewhere';\nadd(1);\n"],
    ['an aliased import', "import { plus as add } from './elsewhere';\nadd(1);\n"],
    ['a default import', "import add from './elsewhere';\nadd(1);\n"],
    ['a namespace import', "import * as add from './elsewhere';\nadd.x(1);\n"],
    ['an import-equals', "import add = require('./elsewhere');\nadd(1);\n"],
  ])('skips a name already bound by %s as already_imported', (_, input) => {
    const result = run(input, [item('add')]);
    expect(result.text).toBe(input);
    expect(result.skipped).toEqual([{ candidateId: item('add').candidate.id, reason: 'already_imported' }]);
  });

  it.each([
    ['gone', 'export const z = 1;\n'],
    ['only a property name', 'o.add(1);\nconst p = { add: 1 };\n'],
    ['only in a comment or string', "// add it\nconst s = 'add';\n"],
    ['only a re-export from elsewhere', "export { add } from './other';\n"],
  ])('skips a name that is %s as not_found', (_, input) => {
    const result = run(input, [item('add')]);
    expect(result.text).toBe(input);
    expect(result.skipped).toEqual([{ candidateId: item('add').candidate.id, reason: 'not_found' }]);
  });

  it('skips a name the file declares itself as already_declared', () => {
    const input = 'function add(a: number) { return a; }\nadd(1);\n';
    const result = run(input, [item('add')]);
    expect(result.text).toBe(input);
    expect(result.skipped).toEqual([{ candidateId: item('add').candidate.id, reason: 'already_declared' }]);
  });

  it('skips a name exported by the file itself as self_import', () => {
    const result = run('self();\n', [item('self')]);
    expect(result.text).toBe('self();\n');
    expect(result.skipped).toEqual([{ candidateId: item('self').candidate.id, reason: 'self_import' }]);
  });

  it('skips a second item for the same name as duplicate', () => {
    const first = item('add');
    const second = { ...item('add'), candidate: { ...item('add').candidate, id: 'again' } };
    const result = run('add(1);\n', [first, second]);
    expect(result.text).toBe("import { add } from './math';\n\nadd(1);\n");
    expect(result.applied).toEqual([first.candidate.id]);
    expect(result.skipped).toEqual([{ candidateId: 'again', reason: 'duplicate' }]);
  });

  it('skips every item of a file that does not parse as parse_error', () => {
    const input = 'add(1, ;\nsub(\n';
    const items = [item('add'), item('mystery')];
    const result = run(input, items);
    expect(result).toEqual({
      text: input,
      linesAffected: [],
      applied: [],
      skipped: items.map((i) => ({ candidateId: i.candidate.id, reason: 'parse_error' })),
    });
  });

  it('applies what it can and reports the rest', () => {
    const input = "import { sub } from './other';\nadd(sub(mystery));\n";
    const items = [item('mystery'), item('add'), item('sub'), item('clamp')];
    const result = run(input, items);
    expect(result.text).toBe(
      "import { sub } from './other';\nimport { add } from './math';\nadd(sub(mystery));\n",
    );
    expect(result.linesAffected).toEqual([2]);
    expect(result.applied).toEqual([items[1]!.candidate.id]);
    expect(result.skipped).toEqual([
      { candidateId: items[0]!.candidate.id, reason: 'exporter_unknown' },
      { candidateId: items[2]!.candidate.id, reason: 'already_imported' },
      { candidateId: items[3]!.candidate.id, reason: 'not_found' },
    ]);
  });

  it('the registry entry imports from the module apply recorded on the item, and skips items without one', () => {
    const input = 'add(Vec, mystery);\n';
    const withSource = (name: string, from: Exporter): FixItem => ({ ...item(name), importFrom: from });
    const items = [
      withSource('add', value('src/math.ts')),
      withSource('Vec', type('src/vec.ts')),
      item('mystery'),
    ];
    const result = addMissingImportCodemod.apply({ file: CODEMOD_FILE, text: input, items });
    expect(addMissingImportCodemod.changeType).toBe('add_missing_import');
    expect(result).toEqual({
      text: "import { add } from './math';\nimport type { Vec } from './vec';\n\nadd(Vec, mystery);\n",
      linesAffected: [1],
      applied: [items[0]!.candidate.id, items[1]!.candidate.id],
      skipped: [{ candidateId: items[2]!.candidate.id, reason: 'exporter_unknown' }],
    });
  });
});

describe('moduleSpecifierFor', () => {
  it.each([
    ['src/a.ts', 'src/math.ts', 'extensionless', './math'],
    ['src/a.ts', 'src/math.ts', 'js', './math.js'],
    ['src/a.ts', 'src/math.ts', 'ts', './math.ts'],
    ['src/a.ts', 'src/ui/button.tsx', 'js', './ui/button.js'],
    ['src/a.ts', 'src/ui/button.tsx', 'ts', './ui/button.tsx'],
    ['src/a.ts', 'src/esm.mts', 'js', './esm.mjs'],
    ['src/a.ts', 'src/plain.js', 'ts', './plain.js'],
    ['src/a/b.ts', 'src/lib/math.ts', 'extensionless', '../lib/math'],
    ['src/a/b/c.ts', 'lib/math.ts', 'js', '../../../lib/math.js'],
    ['a.ts', 'src/math.ts', 'extensionless', './src/math'],
    ['src/a.ts', 'src/dir/index.ts', 'extensionless', './dir'],
    ['src/a.ts', 'src/dir/index.ts', 'js', './dir/index.js'],
    ['src/a.ts', 'src/dir/index.ts', 'ts', './dir/index.ts'],
    ['src/a/b.ts', 'src/index.ts', 'extensionless', '..'],
    ['src/a.ts', 'src/index.ts', 'extensionless', '.'],
    ['src/a.ts', 'src/types.d.ts', 'extensionless', './types'],
    ['src/a.ts', 'src/types.d.ts', 'ts', './types.js'],
    ['src/a.ts', 'src/.hidden.ts', 'extensionless', './.hidden'],
  ] as const)('%s -> %s (%s) is %s', (from, to, style, expected) => {
    expect(moduleSpecifierFor(from, to, style)).toBe(expected);
  });
});
