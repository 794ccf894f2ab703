import { describe, expect, it } from 'vitest';
import type { ScanFinding } from '../../lib/scan.ts';
import { ruleInput } from '../../lib/test/helpers.ts';
import { longFunction } from '../index.ts';
import { scan } from '../scan.ts';
import type { LongFunctionEvidence, LongFunctionOptions } from '../schema.ts';

function analyze(text: string, maxFunctionLines = 80): ScanFinding<LongFunctionEvidence>[] {
  return scan.analyze(
    ruleInput<LongFunctionOptions>(longFunction, 'src/m.ts', text, {
      options: { maxLines: maxFunctionLines },
    }),
  );
}

interface Found {
  name: string;
  lines: number;
  line: number;
  endLine: number;
}

function longFunctions(text: string, maxFunctionLines?: number): Found[] {
  return analyze(text, maxFunctionLines).map((f) => {
    if (f.evidence.kind !== 'long-function') throw new Error(`unexpected evidence ${f.evidence.kind}`);
    return { name: f.evidence.name, lines: f.evidence.lines, line: f.line, endLine: f.endLine };
  });
}

/** `count` statement lines, indented by `indent` spaces. */
function statements(count: number, indent = 2): string[] {
  return Array.from({ length: count }, (_, i) => `${' '.repeat(indent)}step(${i});`);
}

describe('long-function: the limit', () => {
  it('does not report a function exactly at the default limit of 80 lines', () => {
    const text = ['function fits() {', ...statements(78), '}', ''].join('\n');
    expect(longFunctions(text)).toEqual([]);
  });

  it('reports a function one line over the default limit', () => {
    const text = ['function tooLong() {', ...statements(79), '}', ''].join('\n');
    expect(longFunctions(text)).toEqual([{ name: 'tooLong', lines: 81, line: 1, endLine: 81 }]);
  });

  it('follows the configured limit', () => {
    const text = ['function f() {', ...statements(3), '}', ''].join('\n');
    expect(longFunctions(text, 6)).toEqual([]);
    expect(longFunctions(text, 5)).toEqual([]);
    expect(longFunctions(text, 4)).toEqual([{ name: 'f', lines: 5, line: 1, endLine: 5 }]);
  });

  it('counts from the first token, not from a leading comment, to the closing line', () => {
    const text = [
      '/**',
      ' * Documented at length,',
      ' * over several lines.',
      ' */',
      'export function documented() {',
      '  step();',
      '}',
      '',
    ].join('\n');
    expect(longFunctions(text, 3)).toEqual([]);
    expect(longFunctions(text, 2)).toEqual([{ name: 'documented', lines: 3, line: 5, endLine: 7 }]);
  });

  it('counts a one-line function as one line', () => {
    expect(longFunctions('const one = () => 1;\n', 1)).toEqual([]);
  });
});

describe('long-function: function forms and names', () => {
  it.each([
    {
      form: 'a function declaration',
      text: 'function top() {\n  a();\n  b();\n}\n',
      name: 'top',
      line: 1,
      endLine: 4,
    },
    {
      form: 'an anonymous function expression in a variable',
      text: 'const fe = function () {\n  a();\n  b();\n};\n',
      name: 'fe',
      line: 1,
      endLine: 4,
    },
    {
      form: 'a named function expression (its own name wins)',
      text: 'const alias = function named() {\n  a();\n  b();\n};\n',
      name: 'named',
      line: 1,
      endLine: 4,
    },
    {
      form: 'an arrow function with a block body',
      text: 'export const arrow = async () => {\n  a();\n  b();\n};\n',
      name: 'arrow',
      line: 1,
      endLine: 4,
    },
    {
      form: 'an arrow function with an expression body',
      text: 'const sum = (a: number, b: number) =>\n  a +\n  b +\n  1;\n',
      name: 'sum',
      line: 1,
      endLine: 4,
    },
    {
      form: 'an arrow wrapped in parentheses and `as`',
      text: 'const wrapped = ((x: number) => {\n  a();\n  return x;\n}) as Handler;\n',
      name: 'wrapped',
      line: 1,
      endLine: 4,
    },
    {
      form: 'an arrow in an angle-bracket type assertion',
      text: 'const asserted = <Handler>(() => {\n  a();\n  b();\n});\n',
      name: 'asserted',
      line: 1,
      endLine: 4,
    },
    {
      form: 'a class method',
      text: 'class Parser {\n  parseExpression() {\n    a();\n    b();\n  }\n}\n',
      name: 'Parser.parseExpression',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a constructor',
      text: 'class Parser {\n  constructor() {\n    a();\n    b();\n  }\n}\n',
      name: 'Parser.constructor',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a getter',
      text: 'class Box {\n  get value() {\n    a();\n    return 1;\n  }\n}\n',
      name: 'Box.value',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a setter',
      text: 'class Box {\n  set value(v: number) {\n    a();\n    b(v);\n  }\n}\n',
      name: 'Box.value',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a private method',
      text: 'class Box {\n  #secret() {\n    a();\n    b();\n  }\n}\n',
      name: 'Box.#secret',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a computed method name',
      text: 'class Bag {\n  *[Symbol.iterator]() {\n    yield a();\n    yield b();\n  }\n}\n',
      name: 'Bag.[Symbol.iterator]',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a class field holding an arrow',
      text: 'class View {\n  handle = () => {\n    a();\n    b();\n  };\n}\n',
      name: 'View.handle',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a method of a class expression in a variable',
      text: 'const Mixin = class {\n  run() {\n    a();\n    b();\n  }\n};\n',
      name: 'Mixin.run',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a function-valued property of a named object',
      text: 'const handlers = {\n  key: function () {\n    a();\n    b();\n  },\n};\n',
      name: 'handlers.key',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a shorthand method of a nested object',
      text: 'const config = {\n  hooks: {\n    onClick() {\n      a();\n      b();\n    },\n  },\n};\n',
      name: 'config.hooks.onClick',
      line: 3,
      endLine: 6,
    },
    {
      form: 'a method of an object passed as an argument',
      text: 'register({\n  start() {\n    a();\n    b();\n  },\n});\n',
      name: 'start',
      line: 2,
      endLine: 5,
    },
    {
      form: 'a function assigned to a property',
      text: 'module.exports.run = () => {\n  a();\n  b();\n};\n',
      name: 'run',
      line: 1,
      endLine: 4,
    },
    {
      form: 'an anonymous default export',
      text: 'export default function () {\n  a();\n  b();\n}\n',
      name: 'default',
      line: 1,
      endLine: 4,
    },
    {
      form: 'an arrow as the default export',
      text: 'export default () => {\n  a();\n  b();\n};\n',
      name: 'default',
      line: 1,
      endLine: 4,
    },
    {
      form: 'an anonymous callback',
      text: 'items.forEach(function (item) {\n  a(item);\n  b();\n});\n',
      name: '<anonymous>',
      line: 1,
      endLine: 4,
    },
    {
      form: 'a function in a namespace',
      text: 'namespace Tools {\n  export function run() {\n    a();\n    b();\n  }\n}\n',
      name: 'Tools.run',
      line: 2,
      endLine: 5,
    },
  ])('reports $form as $name', ({ text, name, line, endLine }) => {
    expect(longFunctions(text, 3)).toEqual([{ name, lines: 4, line, endLine }]);
  });

  it('does not report overload signatures, interface members or abstract methods, which have no body', () => {
    const text = [
      'function over(',
      '  a: string,',
      '  b: string,',
      '): void;',
      'function over(a: string): void {}',
      'interface Shape {',
      '  area(',
      '    unit: string,',
      '  ): number;',
      '}',
      'abstract class Base {',
      '  abstract run(',
      '    a: string,',
      '    b: string,',
      '  ): void;',
      '}',
      '',
    ].join('\n');
    expect(longFunctions(text, 3)).toEqual([]);
  });
});

describe('long-function: nested functions', () => {
  it('reports a long outer function and a long inner one separately', () => {
    const text = [
      'export function outer() {', // 1
      '  step();',
      '  function inner() {', // 3
      '    a();',
      '    b();',
      '    c();',
      '  }', // 7
      '  return inner;',
      '}', // 9
      '',
    ].join('\n');
    expect(longFunctions(text, 4)).toEqual([
      { name: 'outer', lines: 9, line: 1, endLine: 9 },
      { name: 'outer.inner', lines: 5, line: 3, endLine: 7 },
    ]);
  });

  it('reports only the outer function when the inner one is short', () => {
    const text = [
      'function outer() {',
      '  const inner = () => {',
      '    a();',
      '  };',
      '  step();',
      '  step();',
      '}',
      '',
    ].join('\n');
    expect(longFunctions(text, 4)).toEqual([{ name: 'outer', lines: 7, line: 1, endLine: 7 }]);
  });

  it('names a callback inside a method by its class and method', () => {
    const text = [
      'class Parser {', // 1
      '  parse(tokens: string[]) {', // 2
      '    return tokens.map((token) => {', // 3
      '      a(token);',
      '      b(token);',
      '      return token;',
      '    });', // 7
      '  }', // 8
      '}',
      '',
    ].join('\n');
    expect(longFunctions(text, 4)).toEqual([
      { name: 'Parser.parse', lines: 7, line: 2, endLine: 8 },
      { name: 'Parser.parse.<anonymous>', lines: 5, line: 3, endLine: 7 },
    ]);
  });
});

describe('long-function: finding', () => {
  it('gives the evidence, message and a line-independent fingerprint', () => {
    const text = [
      '',
      '',
      'class Parser {',
      '  parseExpression() {',
      ...statements(3, 4),
      '  }',
      '}',
      '',
    ].join('\n');
    expect(analyze(text, 3)).toEqual([
      {
        rule: 'long-function',
        file: 'src/m.ts',
        line: 4,
        endLine: 8,
        message: "'Parser.parseExpression' is 5 lines long (limit 3)",
        evidence: { kind: 'long-function', name: 'Parser.parseExpression', lines: 5, limit: 3 },
        fingerprint: 'Parser.parseExpression',
      },
    ]);
  });

  it('reports nothing in a file without functions', () => {
    expect(longFunctions(['const a = 1;', ...statements(100, 0), ''].join('\n'), 3)).toEqual([]);
  });
});

// Nodes spanning no more lines than the limit are skipped rather than walked: a long function
// inside an expression is still found, and a short one under a long comment still is not.
describe('long-function: what is skipped', () => {
  it('finds a long callback in a call and counts a function from its first token, not its comment', () => {
    const text = [
      'call(() => {',
      '  a();',
      '  b();',
      '  c();',
      '});',
      'const g = () => { x(); };',
      '/** one',
      ' * two',
      ' * three',
      ' * four */',
      'function h() {',
      '  y();',
      '}',
      '',
    ].join('\n');
    expect(longFunctions(text, 3).map((f) => [f.line, f.lines])).toEqual([[1, 5]]);
  });
});
