import { createHash } from 'node:crypto';
import { CHECK_IDS, CheckCandidate } from '@selfreview/checks';
import { ts } from '@selfreview/shared/compiler';
import { describe, expect, it } from 'vitest';
import { analyzeFile, analyzeFiles, candidateId, scriptKindFor } from '../src/analyze.ts';
import { getRule, RULES } from '../src/rules/index.ts';

const SOURCE = [
  "import { used, unused } from './lib';",
  '',
  '// TODO: handle errors',
  'export const value = used();',
  '',
].join('\n');

describe('analyzeFile', () => {
  it('runs every rule and orders candidates by line', () => {
    const { candidates, warning } = analyzeFile('src/a.ts', SOURCE);
    expect(warning).toBeUndefined();
    expect(candidates.map((c) => [c.rule, c.line, c.endLine])).toEqual([
      ['unused-import', 1, 1],
      ['todo-comment', 3, 3],
    ]);
    for (const candidate of candidates) expect(() => CheckCandidate.parse(candidate)).not.toThrow();
  });

  it.each([
    { rules: ['unused-import'] as const, expected: ['unused-import'] },
    { rules: ['todo-comment'] as const, expected: ['todo-comment'] },
    { rules: [] as const, expected: [] },
  ])('runs only the rules asked for: $rules', ({ rules, expected }) => {
    expect(analyzeFile('src/a.ts', SOURCE, { rules }).candidates.map((c) => c.rule)).toEqual(expected);
  });

  it('skips a file that does not parse, with a warning', () => {
    const source = "import { a } from './a';\n\nexport const = 1;\n// TODO: unreachable\n";
    expect(analyzeFile('src/broken.ts', source)).toEqual({
      candidates: [],
      warning: 'src/broken.ts:3: syntax error (Variable declaration expected.), file skipped',
    });
  });

  it('parses .tsx as JSX and .ts without it', () => {
    const source =
      "import React from 'react';\nimport { Unused } from './u';\nexport const e = <div>hi</div>;\n";
    expect(analyzeFile('src/view.tsx', source).candidates.map((c) => c.evidence)).toMatchObject([
      { kind: 'unused-import', name: 'Unused' },
    ]);
    expect(analyzeFile('src/view.ts', source)).toMatchObject({
      candidates: [],
      warning: expect.stringMatching(/^src\/view\.ts:3: syntax error \(.+\), file skipped$/),
    });
  });

  it.each([
    { file: 'a.ts', kind: ts.ScriptKind.TS },
    { file: 'a.d.ts', kind: ts.ScriptKind.TS },
    { file: 'a.mts', kind: ts.ScriptKind.TS },
    { file: 'a.cts', kind: ts.ScriptKind.TS },
    { file: 'a.tsx', kind: ts.ScriptKind.TSX },
    { file: 'a.js', kind: ts.ScriptKind.JS },
    { file: 'a.jsx', kind: ts.ScriptKind.JSX },
  ])('reads $file with script kind $kind', ({ file, kind }) => {
    expect(scriptKindFor(file)).toBe(kind);
  });

  it('analyzes .mts and .cts files', () => {
    for (const file of ['src/a.mts', 'src/a.cts']) {
      expect(analyzeFile(file, SOURCE).candidates.map((c) => c.rule)).toEqual([
        'unused-import',
        'todo-comment',
      ]);
    }
  });
});

describe('candidate ids', () => {
  it('hashes rule, file, fingerprint and occurrence', () => {
    const expected = createHash('sha1')
      .update('unused-import\u0000src/a.ts\u0000./lib\u0000unused\u00000')
      .digest('hex')
      .slice(0, 16);
    expect(candidateId('unused-import', 'src/a.ts', './lib\u0000unused', 0)).toBe(
      `unused-import:${expected}`,
    );
    const [first] = analyzeFile('src/a.ts', SOURCE).candidates;
    expect(first?.id).toBe(`unused-import:${expected}`);
  });

  it('keeps ids when lines are inserted above', () => {
    const before = analyzeFile('src/a.ts', SOURCE).candidates;
    const after = analyzeFile('src/a.ts', `// header\n/* licence */\n\n${SOURCE}`).candidates;
    expect(after.map((c) => c.line)).toEqual(before.map((c) => c.line + 3));
    expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
  });

  it('changes ids with the file', () => {
    const a = analyzeFile('src/a.ts', SOURCE).candidates.map((c) => c.id);
    const b = analyzeFile('src/b.ts', SOURCE).candidates.map((c) => c.id);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
  });

  it('tells identical findings apart by their order, and keeps that when lines move', () => {
    const source = '// TODO: same\nfoo();\n// TODO:   SAME\n';
    const ids = analyzeFile('src/a.ts', source).candidates.map((c) => c.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(ids).toEqual([
      candidateId('todo-comment', 'src/a.ts', 'todo: same', 0),
      candidateId('todo-comment', 'src/a.ts', 'todo: same', 1),
    ]);
    const moved = analyzeFile('src/a.ts', `\n\n${source}`).candidates.map((c) => c.id);
    expect(moved).toEqual(ids);
  });

  it('gives every candidate of a file a distinct id', () => {
    const source = "import a, { b, c } from './m';\nimport * as d from './n';\n// TODO: x\n// FIXME: y\n";
    const ids = analyzeFile('src/a.ts', source).candidates.map((c) => c.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(id).toMatch(/^(unused-import|todo-comment):[0-9a-f]{16}$/);
  });
});

describe('analyzeFiles', () => {
  it('sorts candidates by file then line and collects warnings', () => {
    const result = analyzeFiles([
      { file: 'src/z.ts', text: '// TODO: z\n' },
      { file: 'src/broken.ts', text: 'const = 1;\n' },
      { file: 'src/B.ts', text: "\n// FIXME: b\nimport x from './x';\n" },
      { file: 'src/a.ts', text: SOURCE },
    ]);
    expect(result.candidates.map((c) => [c.file, c.line, c.rule])).toEqual([
      ['src/B.ts', 2, 'todo-comment'],
      ['src/B.ts', 3, 'unused-import'],
      ['src/a.ts', 1, 'unused-import'],
      ['src/a.ts', 3, 'todo-comment'],
      ['src/z.ts', 1, 'todo-comment'],
    ]);
    expect(result.warnings).toEqual([
      'src/broken.ts:1: syntax error (Variable declaration expected.), file skipped',
    ]);
  });

  it('passes the rule filter on', () => {
    const result = analyzeFiles([{ file: 'src/a.ts', text: SOURCE }], { rules: ['todo-comment'] });
    expect(result.candidates.map((c) => c.rule)).toEqual(['todo-comment']);
  });

  it('returns nothing for no files', () => {
    expect(analyzeFiles([])).toEqual({ candidates: [], warnings: [] });
  });
});

describe('rule registry', () => {
  it('registers one rule per rule id', () => {
    expect(RULES.map((r) => r.id)).toEqual([...CHECK_IDS]);
  });

  it.each(CHECK_IDS)('finds %s', (id) => {
    expect(getRule(id).id).toBe(id);
  });
});
