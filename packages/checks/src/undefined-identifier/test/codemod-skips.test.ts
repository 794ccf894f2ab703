import type { FixItem } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { CODEMOD_FILE, codemodItem } from '../../lib/test/helpers.ts';
import { addMissingImportCodemod, type Exporter } from '../codemod.ts';
import { item, run, type, value } from './codemod-helpers.ts';

function todoItem(): FixItem {
  return codemodItem(
    addMissingImportCodemod,
    { kind: 'todo-comment', tag: 'TODO', text: 'add it later', context: [] },
    { id: 'todo:src/example.ts:1', message: 'TODO', confidence: 0.8 },
  );
}

describe('add_missing_import', () => {
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
