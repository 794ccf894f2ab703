import { describe, expect, it } from 'vitest';
import { ruleInput, scanText } from '../../lib/test/helpers.ts';
import { evidenceOf } from '../../registry.ts';
import { todoComment } from '../index.ts';
import { scan } from '../scan.ts';

interface Found {
  tag: string;
  text: string;
  line: number;
  endLine: number;
}

function todos(source: string, file = 'src/m.ts'): Found[] {
  const result = scanText(todoComment, file, source);
  // A fixture that does not parse would pass every "not matched" case vacuously.
  expect(result.warning).toBeUndefined();
  return result.candidates.map((c) => {
    const e = evidenceOf(c);
    if (e.kind !== 'todo-comment') throw new Error(`unexpected evidence ${e.kind}`);
    return { tag: e.tag, text: e.text, line: c.line, endLine: c.endLine };
  });
}

describe('todo-comment: markers', () => {
  it.each([
    { what: 'line TODO', source: '// TODO: add retries\n', tag: 'TODO', text: 'TODO: add retries' },
    { what: 'lowercase todo', source: '// todo: lowercase\n', tag: 'todo', text: 'todo: lowercase' },
    { what: 'mixed-case Fixme', source: '// Fixme later\n', tag: 'Fixme', text: 'Fixme later' },
    {
      what: 'FIXME without colon',
      source: '//FIXME broken on windows\n',
      tag: 'FIXME',
      text: 'FIXME broken on windows',
    },
    {
      what: 'block HACK',
      source: '/* HACK: works around a bug */\n',
      tag: 'HACK',
      text: 'HACK: works around a bug',
    },
    { what: 'XXX', source: '// XXX remove before release\n', tag: 'XXX', text: 'XXX remove before release' },
    { what: 'TODO with owner', source: '// TODO(kim): split\n', tag: 'TODO', text: 'TODO(kim): split' },
    {
      what: 'marker after prose',
      source: '// this is a HACK for now\n',
      tag: 'HACK',
      text: 'this is a HACK for now',
    },
    { what: 'Korean text', source: '// TODO: 향후 지원 예정\n', tag: 'TODO', text: 'TODO: 향후 지원 예정' },
    { what: 'triple slash', source: '/// TODO: document\n', tag: 'TODO', text: 'TODO: document' },
    {
      what: 'first of two markers',
      source: '// HACK until the TODO below\n',
      tag: 'HACK',
      text: 'HACK until the TODO below',
    },
  ])('finds a $what comment', ({ source, tag, text }) => {
    expect(todos(source)).toEqual([{ tag, text, line: 1, endLine: 1 }]);
  });

  it.each([
    { what: 'todos', source: '// list the todos\n' },
    { what: 'TODOS', source: '// TODOS are tracked elsewhere\n' },
    { what: 'mastodon', source: '// post to mastodon\n' },
    { what: 'autodoc', source: '// autodoc generates this\n' },
    { what: 'fixmes', source: '// no fixmes here\n' },
    { what: 'lowercase hack', source: '// a little hack\n' },
    { what: 'lowercase xxx', source: '// phone xxx-xxx\n' },
    { what: 'Hack capitalised', source: '// Hack week notes\n' },
    { what: 'XXXX', source: '// XXXX placeholder\n' },
    { what: 'TODO inside an identifier', source: '// see TODO_LIST and todoItems\n' },
    { what: 'plain comment', source: '// nothing to do here\n' },
  ])('does not match $what', ({ source }) => {
    expect(todos(source)).toEqual([]);
  });
});

describe('todo-comment: comment kinds and positions', () => {
  it('finds a JSDoc FIXME across its lines, without the gutter', () => {
    const source =
      'const a = 1;\n/**\n * FIXME: the cache is never invalidated\n *   when the config changes\n */\nexport function f() {}\n';
    expect(todos(source)).toEqual([
      {
        tag: 'FIXME',
        text: 'FIXME: the cache is never invalidated\nwhen the config changes',
        line: 2,
        endLine: 5,
      },
    ]);
  });

  it('finds a one-line JSDoc FIXME', () => {
    expect(todos('/** FIXME: wrong units */\nexport const speed = 1;\n')).toEqual([
      { tag: 'FIXME', text: 'FIXME: wrong units', line: 1, endLine: 1 },
    ]);
  });

  it.each([
    { where: 'trailing a statement', source: 'call(); // TODO: check result\n', line: 1 },
    { where: 'in an empty function body', source: 'function f() {\n  /* TODO: implement */\n}\n', line: 2 },
    { where: 'in an empty object literal', source: 'export const o = { /* TODO: fields */ };\n', line: 1 },
    { where: 'in empty call arguments', source: 'call(/* TODO: args */);\n', line: 1 },
    { where: 'in an empty class', source: 'class A {\n  // TODO: members\n}\n', line: 2 },
    {
      where: 'inside a template substitution',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the string is TypeScript source under test
      source: 'export const s = `a${x /* TODO: fmt */}b`;\n',
      line: 1,
    },
    { where: 'at the end of a file without newline', source: 'export const a = 1;\n// TODO: eof', line: 2 },
    { where: 'in an otherwise empty file', source: '// TODO: write me\n', line: 1 },
    { where: 'after a shebang', source: '#!/usr/bin/env node\n// TODO: flags\nrun();\n', line: 2 },
    { where: 'between a statement and the next', source: 'a();\n// TODO: once\nb();\n', line: 2 },
    { where: 'in a type', source: 'type T = {\n  // TODO: narrow\n  a: unknown;\n};\n', line: 2 },
  ])('finds a comment $where exactly once', ({ source, line }) => {
    expect(todos(source).map((f) => f.line)).toEqual([line]);
  });

  it('reports one finding per comment, in source order', () => {
    const source = '// TODO: one\n// TODO: two\n/* FIXME: three */ // XXX four\n';
    expect(todos(source).map((f) => [f.tag, f.line])).toEqual([
      ['TODO', 1],
      ['TODO', 2],
      ['FIXME', 3],
      ['XXX', 3],
    ]);
  });

  it.each([
    { where: 'a double-quoted string', source: 'export const s = "// TODO: not a comment";\n' },
    { where: 'a single-quoted string', source: "export const s = '/* FIXME: not a comment */';\n" },
    { where: 'a template literal', source: 'export const s = `// TODO: not a comment`;\n' },
    {
      where: 'a template with substitutions',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the string is TypeScript source under test
      source: 'export const s = `${1} // TODO: no ${2} /* HACK */`;\n',
    },
    { where: 'a regex', source: 'export const r = /\\/\\/ TODO: no/;\n' },
    { where: 'a regex with a star', source: 'export const r = /\\/* TODO: no/g;\n' },
    { where: 'a regex in a class', source: 'export const r = /[/*] XXX/;\n' },
  ])('ignores markers in $where', ({ source }) => {
    expect(todos(source)).toEqual([]);
  });

  it('ignores JSX text but finds JSX comments (.tsx)', () => {
    const source = [
      'export const e = (',
      '  <div title="// TODO: attr">',
      '    // TODO: displayed text',
      '    {/* TODO: real comment */}',
      '    <span />// XXX more text',
      '    {x}// HACK text after expression',
      '  </div>',
      '); // FIXME: after the element',
      '',
    ].join('\n');
    expect(todos(source, 'src/view.tsx')).toEqual([
      { tag: 'TODO', text: 'TODO: real comment', line: 4, endLine: 4 },
      { tag: 'FIXME', text: 'FIXME: after the element', line: 8, endLine: 8 },
    ]);
  });
});

describe('todo-comment: evidence', () => {
  it('gives up to two lines of context around the comment, and the comment lines', () => {
    const source = ['l1;', 'l2;', 'l3;', '// TODO: middle', 'l5;', 'l6;', 'l7;', ''].join('\n');
    const { candidates } = scanText(todoComment, 'src/m.ts', source);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.evidence).toEqual({
      kind: 'todo-comment',
      tag: 'TODO',
      text: 'TODO: middle',
      context: ['l2;', 'l3;', '// TODO: middle', 'l5;', 'l6;'],
    });
  });

  it('cuts the context at the file edges and ignores the final newline', () => {
    const source = '// TODO: first\nconst a = 1;\n';
    const { candidates } = scanText(todoComment, 'src/m.ts', source);
    expect(candidates[0]?.evidence).toMatchObject({ context: ['// TODO: first', 'const a = 1;'] });
  });

  it('names the tag in the message', () => {
    const { candidates } = scanText(todoComment, 'src/m.ts', '// TODO: add retries\n/* FIXME */\n');
    expect(candidates.map((c) => c.message)).toEqual(['TODO comment: add retries', 'FIXME comment']);
  });

  it.each([
    { source: '// TODO:   Fix   THIS\n', fingerprint: 'todo: fix this' },
    { source: '/*\n * TODO: Fix\n * this\n */\n', fingerprint: 'todo: fix this' },
    { source: '// todo: fix this\n', fingerprint: 'todo: fix this' },
  ])('fingerprints $source by normalized text', ({ source, fingerprint }) => {
    const findings = scan.analyze({
      ...ruleInput(todoComment, 'a.ts', source),
    });
    expect(findings.map((f) => f.fingerprint)).toEqual([fingerprint]);
  });
});

describe('todo-comment: suppression comments', () => {
  it('does not take a suppression comment naming the rule for a TODO', () => {
    const source = '// selfreview-ignore-next-line todo-comment\n// TODO: real one\nexport {};\n';
    const found = scanText(todoComment, 'a.ts', source).candidates;
    expect(found.map((c) => c.line)).toEqual([2]);
  });
});

// Only the nodes around a marker are walked (see collectComments): markers in code and strings
// must not hide or invent comments elsewhere, at any depth.
describe('todo-comment: markers spread over a file', () => {
  it('finds each comment once, deep or shallow, beside markers in strings and names', () => {
    const source = [
      "const label = 'TODO list';", // 1: a string, not a comment
      'class Store {',
      '  items: string[] = [];',
      '  add(item: string) {',
      '    if (item) {',
      '      this.items.push(item); // FIXME: dedupe',
      '    }',
      '  }',
      '  todoCount() { return this.items.length; }',
      '  /* HACK: public for tests */',
      '  clear() {}',
      '}',
      'export { label, Store }; // XXX',
      '',
    ].join('\n');
    expect(todos(source).map((f) => [f.tag, f.line])).toEqual([
      ['FIXME', 6],
      ['HACK', 10],
      ['XXX', 13],
    ]);
  });
});
