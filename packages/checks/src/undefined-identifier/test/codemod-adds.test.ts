import { describe, expect, it } from 'vitest';
import { CODEMOD_FILE } from '../../lib/test/helpers.ts';
import { type Exporter, moduleSpecifierFor } from '../codemod.ts';
import { item, run } from './codemod-helpers.ts';

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
