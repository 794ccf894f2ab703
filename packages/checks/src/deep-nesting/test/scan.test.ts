import { describe, expect, it } from 'vitest';
import type { ScanFinding } from '../../lib/scan.ts';
import { ruleInput } from '../../lib/test/helpers.ts';
import { deepNesting } from '../index.ts';
import { scan } from '../scan.ts';
import type { DeepNestingEvidence, DeepNestingOptions } from '../schema.ts';

function analyze(text: string, maxNestingDepth = 4): ScanFinding<DeepNestingEvidence>[] {
  return scan.analyze(
    ruleInput<DeepNestingOptions>(deepNesting, 'src/m.ts', text, { options: { maxDepth: maxNestingDepth } }),
  );
}

interface Found {
  functionName: string;
  depth: number;
  line: number;
  endLine: number;
}

function deep(lines: readonly string[], maxNestingDepth?: number): Found[] {
  return analyze([...lines, ''].join('\n'), maxNestingDepth).map((f) => {
    if (f.evidence.kind !== 'deep-nesting') throw new Error(`unexpected evidence ${f.evidence.kind}`);
    return {
      functionName: f.evidence.functionName,
      depth: f.evidence.depth,
      line: f.line,
      endLine: f.endLine,
    };
  });
}

/** Four levels (if, for, while, do) around `inner`, inside `function f`. Line 6 is depth 4's body. */
function fourDeep(inner: readonly string[]): string[] {
  return [
    'function f() {', // 1
    '  if (a) {', // 2: depth 1
    '    for (;;) {', // 3: depth 2
    '      while (b) {', // 4: depth 3
    '        do {', // 5: depth 4
    ...inner.map((line) => `          ${line}`), // from 6
    '        } while (c);',
    '      }',
    '    }',
    '  }',
    '}',
  ];
}

describe('deep-nesting: the limit', () => {
  it('does not report blocks exactly at the limit of 4', () => {
    expect(deep(fourDeep(['step();']))).toEqual([]);
  });

  it('reports the statement one level past the limit', () => {
    expect(deep(fourDeep(['if (d) {', '  step();', '}']))).toEqual([
      { functionName: 'f', depth: 5, line: 6, endLine: 8 },
    ]);
  });

  it('follows the configured limit', () => {
    const lines = ['function f() {', '  if (a) {', '    if (b) {', '      step();', '    }', '  }', '}'];
    expect(deep(lines, 2)).toEqual([]);
    expect(deep(lines, 1)).toEqual([{ functionName: 'f', depth: 2, line: 3, endLine: 5 }]);
  });
});

describe('deep-nesting: one finding per too-deep construct', () => {
  it('reports the outermost too-deep statement once, with the deepest level inside it', () => {
    const inner = [
      'if (d) {', // 6: depth 5
      '  for (const x of xs) {', // depth 6
      '    if (x) {', // depth 7
      '      step();',
      '    }',
      '  }',
      '  while (e) {', // depth 6
      '    step();',
      '  }',
      '}', // 15
    ];
    expect(deep(fourDeep(inner))).toEqual([{ functionName: 'f', depth: 7, line: 6, endLine: 15 }]);
  });

  it('reports sibling too-deep statements separately', () => {
    const inner = [
      'for (const k in o) {', // 6
      '  step();',
      '}', // 8
      'switch (k) {', // 9
      '  default:',
      '    step();',
      '}', // 12
    ];
    expect(deep(fourDeep(inner))).toEqual([
      { functionName: 'f', depth: 5, line: 6, endLine: 8 },
      { functionName: 'f', depth: 5, line: 9, endLine: 12 },
    ]);
  });
});

describe('deep-nesting: what opens a level', () => {
  it('keeps a long else-if chain at the depth of its if', () => {
    const inner = [
      'if (d === 1) {',
      '  step();',
      '} else if (d === 2) {',
      '  step();',
      '} else if (d === 3) {',
      '  step();',
      '} else {',
      '  step();',
      '}',
    ];
    // The chain is at depth 5; counting each `else if` as nested would make the last one 7.
    expect(deep(fourDeep(inner), 5)).toEqual([]);
    expect(deep(fourDeep(inner), 4)).toEqual([{ functionName: 'f', depth: 5, line: 6, endLine: 14 }]);
  });

  it('counts a statement inside an else-if or else body one level deeper than the chain', () => {
    const lines = [
      'function f() {',
      '  if (a) {', // 2: depth 1
      '    step();',
      '  } else if (b) {',
      '    step();',
      '  } else {',
      '    while (c) {', // 7: depth 2
      '      step();',
      '    }',
      '  }',
      '}',
    ];
    expect(deep(lines, 2)).toEqual([]);
    expect(deep(lines, 1)).toEqual([{ functionName: 'f', depth: 2, line: 7, endLine: 9 }]);
  });

  it('counts an unbraced if inside an if as nested (ESLint does not)', () => {
    const lines = ['function f() {', '  if (a)', '    if (b) step();', '}'];
    expect(deep(lines, 1)).toEqual([{ functionName: 'f', depth: 2, line: 3, endLine: 3 }]);
  });

  it('counts a switch once: its case clauses and case blocks add nothing', () => {
    const inner = [
      'switch (d) {',
      '  case 1: {',
      '    step();',
      '    break;',
      '  }',
      '  case 2:',
      '    step();',
      '    break;',
      '  default:',
      '    step();',
      '}',
    ];
    expect(deep(fourDeep(inner), 5)).toEqual([]);
    expect(deep(fourDeep(inner), 4)).toEqual([{ functionName: 'f', depth: 5, line: 6, endLine: 16 }]);
  });

  it('counts a statement inside a case clause one level below the switch', () => {
    const lines = [
      'function f() {',
      '  switch (a) {', // 2: depth 1
      '    case 1:',
      '      if (b) step();', // 4: depth 2
      '  }',
      '}',
    ];
    expect(deep(lines, 2)).toEqual([]);
    expect(deep(lines, 1)).toEqual([{ functionName: 'f', depth: 2, line: 4, endLine: 4 }]);
  });

  it('counts try once: its catch and finally blocks add nothing', () => {
    const lines = [
      'function f() {',
      '  try {', // 2: depth 1
      '    step();',
      '  } catch (e) {',
      '    step();',
      '  } finally {',
      '    step();',
      '  }',
      '}',
    ];
    expect(deep(lines, 1)).toEqual([]);
    expect(deep(lines, 0)).toEqual([{ functionName: 'f', depth: 1, line: 2, endLine: 8 }]);
  });

  it.each([
    { clause: 'try', lines: ['  try {', '    if (x) step();', '  } catch {}'], line: 3 },
    { clause: 'catch', lines: ['  try {', '  } catch (e) {', '    if (x) step();', '  }'], line: 4 },
    { clause: 'finally', lines: ['  try {', '  } finally {', '    if (x) step();', '  }'], line: 4 },
  ])('counts a statement in the $clause block one level below the try', ({ lines, line }) => {
    const text = ['function f() {', ...lines, '}'];
    expect(deep(text, 2)).toEqual([]);
    expect(deep(text, 1)).toEqual([{ functionName: 'f', depth: 2, line, endLine: line }]);
  });

  it.each([
    { loop: 'for', head: 'for (let i = 0; i < n; i++) {', tail: '}' },
    { loop: 'for-in', head: 'for (const k in o) {', tail: '}' },
    { loop: 'for-of', head: 'for await (const x of xs) {', tail: '}' },
    { loop: 'while', head: 'while (x) {', tail: '}' },
    { loop: 'do', head: 'do {', tail: '} while (x);' },
  ])('counts a $loop loop as a level', ({ head, tail }) => {
    const lines = ['async function f() {', `  ${head}`, '    step();', `  ${tail}`, '}'];
    expect(deep(lines, 1)).toEqual([]);
    expect(deep(lines, 0)).toEqual([{ functionName: 'f', depth: 1, line: 2, endLine: 4 }]);
  });

  it('counts bare and labelled blocks as levels (ESLint does not)', () => {
    const lines = [
      'function f() {',
      '  {', // 2: depth 1
      '    done: {', // 3: depth 2
      '      step();',
      '      break done;',
      '    }',
      '  }',
      '}',
    ];
    expect(deep(lines, 2)).toEqual([]);
    expect(deep(lines, 1)).toEqual([{ functionName: 'f', depth: 2, line: 3, endLine: 6 }]);
  });

  it('does not count a function body or plain expressions as levels', () => {
    const lines = [
      'function f() {',
      '  const o = { a: { b: [1, 2] } };',
      '  return o.a ? (o.a.b ? 1 : 2) : 3;',
      '}',
    ];
    expect(deep(lines, 1)).toEqual([]);
  });
});

describe('deep-nesting: functions', () => {
  it('starts a nested function from 0', () => {
    const inner = [
      'items.forEach((item) => {',
      '  if (item) {', // depth 1 of the arrow
      '    step();',
      '  }',
      '});',
    ];
    expect(deep(fourDeep(inner))).toEqual([]);
  });

  it('judges a function inside a too-deep statement on its own', () => {
    const inner = [
      'if (d) {', // 6: depth 5 of f
      '  const g = () => {', // 7
      '    if (x) {', // 8: depth 1 of g
      '      if (y) {', // 9: depth 2 of g
      '        step();',
      '      }',
      '    }',
      '  };',
      '}', // 14
    ];
    expect(deep(fourDeep(inner))).toEqual([{ functionName: 'f', depth: 5, line: 6, endLine: 14 }]);
    expect(deep(fourDeep(inner), 1)).toEqual([
      { functionName: 'f', depth: 5, line: 3, endLine: 17 },
      { functionName: 'f.g', depth: 2, line: 9, endLine: 11 },
    ]);
  });

  it('names methods, callbacks, accessors and static blocks by their dotted path', () => {
    const lines = [
      'class Parser {', // 1
      '  parse() {', // 2
      '    if (a) step();', // 3
      '    return xs.map((x) => {', // 4
      '      if (x) step();', // 5
      '    });',
      '  }',
      '  get size() {',
      '    if (b) return 1;', // 9
      '    return 0;',
      '  }',
      '  static {',
      '    if (c) step();', // 13
      '  }',
      '}',
    ];
    expect(deep(lines, 0)).toEqual([
      { functionName: 'Parser.parse', depth: 1, line: 3, endLine: 3 },
      { functionName: 'Parser.parse.<anonymous>', depth: 1, line: 5, endLine: 5 },
      { functionName: 'Parser.size', depth: 1, line: 9, endLine: 9 },
      { functionName: 'Parser.<static>', depth: 1, line: 13, endLine: 13 },
    ]);
  });

  it('counts top-level code as <module>', () => {
    const lines = [
      'for (const a of as) {', // 1: depth 1
      '  if (a) {', // 2: depth 2
      '    step();',
      '  }',
      '}',
    ];
    expect(deep(lines, 1)).toEqual([{ functionName: '<module>', depth: 2, line: 2, endLine: 4 }]);
  });
});

describe('deep-nesting: finding', () => {
  it('gives the evidence, message and fingerprint', () => {
    const text = [
      'export function run() {',
      '  if (a) {',
      '    while   (b)   {',
      '      step();',
      '    }',
      '  }',
      '}',
    ];
    expect(analyze(text.join('\n'), 1)).toEqual([
      {
        rule: 'deep-nesting',
        file: 'src/m.ts',
        line: 3,
        endLine: 5,
        message: "blocks nested 2 deep in 'run' (limit 1)",
        evidence: { kind: 'deep-nesting', functionName: 'run', depth: 2, limit: 1 },
        fingerprint: 'run:while:while (b) {',
      },
    ]);
  });

  it('keeps the fingerprint when the code moves down the file', () => {
    const body = ['function run() {', '  if (a) {', '    if (b) step();', '  }', '}'];
    const before = analyze(body.join('\n'), 1);
    const after = analyze(['// header', '', ...body].join('\n'), 1);
    expect(after[0]?.line).toBe((before[0]?.line ?? 0) + 2);
    expect(after.map((f) => f.fingerprint)).toEqual(['run:if:if (b) step();']);
    expect(before.map((f) => f.fingerprint)).toEqual(['run:if:if (b) step();']);
  });
});

// Text without a `{` is skipped rather than walked (see holdsNoStatement): these are the
// statements that nest without one, and a `{` that is only text.
describe('deep-nesting: nesting written without braces', () => {
  it('finds unbraced nesting at the top level, under a label, in a case and after else-if', () => {
    expect(deep(['if (a) if (b) if (c) step();'], 2).map((f) => [f.functionName, f.depth])).toEqual([
      ['<module>', 3],
    ]);
    expect(deep(['outer: for (;;) while (a) if (b) break outer;'], 2).map((f) => f.depth)).toEqual([3]);
    expect(
      deep(
        [
          'function f(x: number) {',
          '  switch (x) {',
          '    case 1: if (a) while (b) if (c) step();',
          '  }',
          '}',
        ],
        3,
      ).map((f) => [f.line, f.depth]),
    ).toEqual([[3, 4]]);
    expect(deep(['if (a) go(); else if (b) for (;;) if (c) step();'], 2).map((f) => f.depth)).toEqual([3]);
  });

  it('walks into expressions that hold a function body, and a brace in a string changes nothing', () => {
    expect(
      deep(['const run = () => list.map((x) => {', '  if (a) { if (b) { step(x); } }', '});'], 1).map((f) => [
        f.functionName,
        f.depth,
      ]),
    ).toEqual([['run.<anonymous>', 2]]);
    expect(deep(["const s = '{' + call(a, b);", 'if (a) if (b) step();'], 1).map((f) => f.line)).toEqual([2]);
  });
});
