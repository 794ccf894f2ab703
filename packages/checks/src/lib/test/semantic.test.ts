import { describe, expect, it } from 'vitest';
import { CHECKS, getCheck } from '../../registry.ts';
import type { SemanticDiagnostic } from '../scan.ts';
import type { ScanFileOptions } from '../scan-file.ts';
import { scanText, semanticOf } from './helpers.ts';

/** `text` scanned as scan does, by the checks of `rules` (every check when absent). */
const analyzeFile = (file: string, text: string, opts: ScanFileOptions & { rules?: string[] }) =>
  scanText(opts.rules ? opts.rules.map(getCheck) : CHECKS, file, text, opts);

const NEIGHBOURS = { 'src/b.ts': 'export const x = 1;\nexport default 2;\nexport type T = string;\n' };

/** Findings of the semantic rules as `rule line name`, from the compiler's real diagnostics. */
function findings(text: string, semantic?: SemanticDiagnostic[]): string[] {
  const diagnostics = semantic ?? semanticOf('src/a.ts', text, NEIGHBOURS);
  const result = analyzeFile('src/a.ts', text, {
    rules: ['unused-import', 'unused-local', 'unused-parameter', 'undefined-identifier'],
    semantic: diagnostics,
  });
  expect(result.warning).toBeUndefined();
  return result.candidates.map((c) => `${c.rule} ${c.line} ${'name' in c.evidence ? c.evidence.name : ''}`);
}

describe('semantic rules on the compiler diagnostics', () => {
  it('turns a whole unused import declaration (reported at its start) into its binding', () => {
    expect(findings("import { x } from './b';\nexport {};\n")).toEqual(['unused-import 1 x']);
  });

  it('reports every binding of an import whose bindings are all unused (6192)', () => {
    expect(findings("import d, { x } from './b';\nexport {};\n")).toEqual([
      'unused-import 1 d',
      'unused-import 1 x',
    ]);
  });

  it('reports only the unused one of a partly used import', () => {
    expect(findings("import d, { x } from './b';\nexport const y = x;\n")).toEqual(['unused-import 1 d']);
  });

  it('tells locals, parameters and type parameters apart', () => {
    const text = [
      'export function f<T, U>(used: number, unused: string): U | undefined {',
      '  const local = used;',
      '  function inner() {}',
      '  return undefined;',
      '}',
      '',
    ].join('\n');
    expect(findings(text)).toEqual([
      'unused-parameter 1 T',
      'unused-parameter 1 unused',
      'unused-local 2 local',
      'unused-local 3 inner',
    ]);
  });

  it('reports each name of an unused destructuring (6198) and of an unused declaration list (6199)', () => {
    const text = 'export function g() {\n  const { a, b } = { a: 1, b: 2 };\n  let c = 1, d = 2;\n}\n';
    expect(findings(text)).toEqual([
      'unused-local 2 a',
      'unused-local 2 b',
      'unused-local 3 c',
      'unused-local 3 d',
    ]);
  });

  it('classifies a private member and a parameter property as private members', () => {
    const text =
      'export class K {\n  private unusedField = 1;\n  constructor(private readonly dep: number) {}\n}\n';
    const result = analyzeFile('src/a.ts', text, {
      rules: ['unused-local'],
      semantic: semanticOf('src/a.ts', text),
    });
    expect(
      result.candidates.map(
        (c) => c.evidence.kind === 'unused-local' && [c.line, c.evidence.name, c.evidence.declarationKind],
      ),
    ).toEqual([
      [2, 'unusedField', 'private-member'],
      [3, 'dep', 'private-member'],
    ]);
  });

  it('records the initializer of an unused variable for the side-effect judgement', () => {
    const text =
      'export function h() {\n  const made = createThing(1);\n}\ndeclare function createThing(n: number): object;\n';
    const [candidate] = analyzeFile('src/a.ts', text, {
      rules: ['unused-local'],
      semantic: semanticOf('src/a.ts', text),
    }).candidates;
    expect(candidate?.evidence).toMatchObject({
      kind: 'unused-local',
      name: 'made',
      declarationKind: 'variable',
      initializer: 'createThing(1)',
    });
  });

  it('reports an unresolved name with the compiler message and line', () => {
    const text = 'export const y = 1;\nexport const z = y + missingName;\n';
    const result = analyzeFile('src/a.ts', text, {
      rules: ['undefined-identifier'],
      semantic: semanticOf('src/a.ts', text),
    });
    expect(result.candidates).toHaveLength(1);
    expect(result.candidates[0]).toMatchObject({
      line: 2,
      evidence: {
        kind: 'undefined-identifier',
        name: 'missingName',
        code: 2304,
        lineText: 'export const z = y + missingName;',
      },
    });
  });

  it('reports nothing semantic when the file has no diagnostics, and only names without a compiler', () => {
    const text = "import { x } from './b';\nexport const y = 1;\n";
    expect(findings(text, [])).toEqual([]);
    const syntaxOnly = analyzeFile('src/a.ts', text, { semantic: null });
    expect(syntaxOnly.candidates.map((c) => c.rule)).toEqual(['unused-import']);
  });

  it('still reports a diagnostic whose position leads to no known declaration', () => {
    const text = 'export const a = 1;\n';
    const odd: SemanticDiagnostic = {
      code: 6133,
      line: 1,
      column: 1,
      message: "'ghost' is declared but its value is never read.",
    };
    expect(findings(text, [odd])).toEqual(['unused-local 1 ghost']);
  });

  it('gives an unused local the same id when lines are inserted above it', () => {
    const text = 'export function f() {\n  const stale = 1;\n}\n';
    const moved = `// header\n\n${text}`;
    const ids = [text, moved].map((t) =>
      analyzeFile('src/a.ts', t, {
        rules: ['unused-local'],
        semantic: semanticOf('src/a.ts', t),
      }).candidates.map((c) => c.id),
    );
    expect(ids[0]).toHaveLength(1);
    expect(ids[1]).toEqual(ids[0]);
  });
});
