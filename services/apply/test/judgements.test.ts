import { Candidate, Decision, RULE_IDS, type UnusedImportEvidence } from '@selfreview/shared/schemas';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { isGeneratedFile, JUDGEMENTS, type JudgeContext, judgeCandidate } from '../src/judgements/index.ts';

const IMPORT = "import { readFile } from 'node:fs/promises';";
const SOURCE = `${IMPORT}\n\nexport const x = 1;\n`;

function importCandidate(evidence: Partial<UnusedImportEvidence> = {}, file = 'src/a.ts'): Candidate {
  return Candidate.parse({
    id: 'ui-1',
    rule: 'unused-import',
    file,
    line: 1,
    endLine: 1,
    message: "'readFile' is imported from 'node:fs/promises' but never used",
    evidence: {
      kind: 'unused-import',
      name: 'readFile',
      importedName: 'readFile',
      form: 'named',
      moduleSpecifier: 'node:fs/promises',
      typeOnly: false,
      statement: IMPORT,
      ...evidence,
    },
  });
}

function todoCandidate(text: string, tag = 'TODO', context: string[] = []): Candidate {
  return Candidate.parse({
    id: 'todo-1',
    rule: 'todo-comment',
    file: 'src/a.ts',
    line: 3,
    endLine: 3,
    message: `${tag} comment`,
    evidence: { kind: 'todo-comment', tag, text, context },
  });
}

const ctx = (over: Partial<JudgeContext> = {}): JudgeContext => {
  const fileText = over.fileText === undefined ? SOURCE : over.fileText;
  return {
    fileText,
    sourceFile:
      fileText === null ? null : ts.createSourceFile('src/a.ts', fileText, ts.ScriptTarget.Latest, true),
    scannedText: null,
    isGenerated: false,
    llmAvailable: false,
    exportersOf: () => [],
    importersOf: () => [],
    now: Date.parse('2026-11-21T00:00:00Z'),
    memoryDays: 14,
    protectedPath: false,
    ignoredPath: false,
    ...over,
  };
};

const judge = (candidate: Candidate, over: Partial<JudgeContext> = {}, threshold = 0): Decision =>
  Decision.parse(judgeCandidate(candidate, ctx(over), { threshold }));

describe('registry', () => {
  it('has a judgement for every rule, under its own id', () => {
    for (const [rule, judgement] of Object.entries(JUDGEMENTS)) expect(judgement.rule).toBe(rule);
    expect(Object.keys(JUDGEMENTS).sort()).toEqual([...RULE_IDS].sort());
  });

  it('defers, never fixes, a candidate whose evidence belongs to another rule', () => {
    for (const rule of RULE_IDS.filter((r) => r !== 'todo-comment')) {
      const verdict = JUDGEMENTS[rule].judge({ ...todoCandidate('x'), rule }, ctx({}));
      expect(verdict).toMatchObject({ verdict: 'defer', reason: 'evidence_mismatch' });
    }
  });
});

describe('todo-comment', () => {
  it('drops a planned TODO as planned_todo, naming the signals', () => {
    const d = judge(todoCandidate('support streaming in the next release'));
    expect(d).toMatchObject({
      candidateId: 'todo-1',
      verdict: 'drop',
      reason: 'planned_todo',
      confidence: 0.9,
      todoClass: 'planned',
    });
    expect(d.detail).toContain('next release');
    expect(d.changeType).toBeUndefined();
  });

  it('is surer of a planned TODO with a tracked issue', () => {
    const d = judge(todoCandidate('tidy the cache (#123)'));
    expect(d).toMatchObject({
      verdict: 'drop',
      reason: 'planned_todo',
      confidence: 0.95,
      todoClass: 'planned',
    });
    expect(d.detail).toContain('#123');
  });

  it('counts an issue link in the continuing comment line', () => {
    const d = judge(
      todoCandidate('tidy the cache', 'TODO', [
        '// TODO: tidy the cache',
        '// https://github.com/a/b/issues/4',
      ]),
    );
    expect(d).toMatchObject({ verdict: 'drop', reason: 'planned_todo', confidence: 0.95 });
  });

  it('lets the plan win over a defect and says so', () => {
    const d = judge(todoCandidate('memory leak, fix in v2', 'FIXME'));
    expect(d).toMatchObject({ verdict: 'drop', reason: 'planned_todo', todoClass: 'planned' });
    expect(d.detail).toContain('v2');
    expect(d.detail).toContain('leak');
  });

  it('queues an actionable TODO for the model fixer (resolve_todo)', () => {
    const d = judge(todoCandidate('crashes on empty input'));
    expect(d).toMatchObject({
      verdict: 'fix',
      reason: 'actionable_todo',
      changeType: 'resolve_todo',
      confidence: 0.8,
      todoClass: 'actionable',
    });
    expect(d.detail).toContain('crashes');
  });

  it('treats the FIXME tag as actionable even when the text omits it', () => {
    expect(judge(todoCandidate('tidy up', 'FIXME'))).toMatchObject({
      reason: 'actionable_todo',
      todoClass: 'actionable',
    });
    expect(judge(todoCandidate('FIXME: tidy up', 'FIXME'))).toMatchObject({ reason: 'actionable_todo' });
  });

  it('defers an ambiguous TODO for a person', () => {
    const d = judge(todoCandidate('tidy up'));
    expect(d).toMatchObject({
      verdict: 'defer',
      reason: 'ambiguous_todo',
      confidence: 0.5,
      todoClass: 'ambiguous',
    });
  });

  it('drops TODOs in generated files and in files that are gone', () => {
    expect(judge(todoCandidate('crashes'), { isGenerated: true })).toMatchObject({
      verdict: 'drop',
      reason: 'generated_file',
    });
    expect(judge(todoCandidate('crashes'), { fileText: null })).toMatchObject({
      verdict: 'drop',
      reason: 'stale',
    });
  });

  it('never queues a planned or ambiguous TODO, whatever the threshold', () => {
    for (const text of ['see #1', 'in the next version', 'tidy']) {
      expect(judge(todoCandidate(text), {}, 0).verdict).not.toBe('fix');
    }
  });
});

describe('unused-import', () => {
  it.each<[Partial<UnusedImportEvidence>, number]>([
    [{ typeOnly: true }, 0.95],
    [{ typeOnly: true, form: 'namespace', importedName: '*' }, 0.95],
    [{ form: 'named' }, 0.9],
    [{ form: 'default', importedName: 'default' }, 0.9],
    [{ form: 'namespace', importedName: '*' }, 0.85],
    [{ form: 'import-equals', importedName: 'default' }, 0.85],
  ])('fixes %j with confidence %d', (evidence, confidence) => {
    const d = judge(importCandidate(evidence));
    expect(d).toMatchObject({
      candidateId: 'ui-1',
      verdict: 'fix',
      reason: 'unused_import',
      changeType: 'remove_unused_import',
      confidence,
    });
    expect(d.detail).toContain('readFile');
    expect(d.todoClass).toBeUndefined();
  });

  it('drops generated files', () => {
    expect(judge(importCandidate(), { isGenerated: true })).toMatchObject({
      verdict: 'drop',
      reason: 'generated_file',
    });
  });

  it('drops as stale when the file is gone', () => {
    expect(judge(importCandidate(), { fileText: null })).toMatchObject({ verdict: 'drop', reason: 'stale' });
  });

  it('drops as stale when the statement is gone', () => {
    const fileText = "import { writeFile } from 'node:fs/promises';\nwriteFile('a', '');\n";
    expect(judge(importCandidate(), { fileText })).toMatchObject({ verdict: 'drop', reason: 'stale' });
  });

  it('drops as stale when the binding is gone although the statement text is not', () => {
    const statement = "import {} from 'node:fs/promises';";
    const fileText = `${statement}\n`;
    expect(judge(importCandidate({ statement }), { fileText })).toMatchObject({ reason: 'stale' });
  });

  it('does not call a rewrapped statement stale', () => {
    const fileText = "import {\n  readFile,\n} from 'node:fs/promises';\n";
    const statement = "import {\n    readFile,\n  } from 'node:fs/promises';";
    expect(judge(importCandidate({ statement }), { fileText })).toMatchObject({ verdict: 'fix' });
  });

  it('drops declaration files, also when they count as generated', () => {
    for (const file of ['types/env.d.ts', 'types/env.d.mts', 'src/styles.d.css.ts']) {
      expect(judge(importCandidate({}, file))).toMatchObject({ verdict: 'drop', reason: 'declaration_file' });
      expect(judge(importCandidate({}, file), { isGenerated: true })).toMatchObject({
        reason: 'declaration_file',
      });
    }
  });

  it.each([
    `${IMPORT}\ndeclare module 'express' {\n  interface Request { user?: string }\n}\n`,
    `${IMPORT}\ndeclare global {\n  var __DEV__: boolean;\n}\n`,
  ])('drops files with module augmentation: %j', (fileText) => {
    expect(judge(importCandidate(), { fileText })).toMatchObject({
      verdict: 'drop',
      reason: 'module_augmentation',
    });
  });

  it('does not mistake a look-alike identifier for augmentation', () => {
    const fileText = `${IMPORT}\nconst undeclare_module = 1;\n`;
    expect(judge(importCandidate(), { fileText })).toMatchObject({ verdict: 'fix' });
  });
});

describe('threshold', () => {
  it('keeps a fix at or above the threshold', () => {
    expect(judge(importCandidate(), {}, 0.9)).toMatchObject({ verdict: 'fix', confidence: 0.9 });
  });

  it('turns a fix below the threshold into a low_confidence drop that keeps its confidence', () => {
    const d = judge(importCandidate({ form: 'namespace', importedName: '*' }), {}, 0.9);
    expect(d).toMatchObject({
      candidateId: 'ui-1',
      verdict: 'drop',
      reason: 'low_confidence',
      confidence: 0.85,
    });
    expect(d.changeType).toBeUndefined();
    expect(d.detail).toContain('0.9');
  });

  it('leaves drop and defer alone', () => {
    expect(judge(todoCandidate('tidy up'), {}, 0.99)).toMatchObject({
      verdict: 'defer',
      reason: 'ambiguous_todo',
    });
    expect(judge(todoCandidate('see #1'), {}, 0.99)).toMatchObject({
      verdict: 'drop',
      reason: 'planned_todo',
    });
  });

  it('rejects a threshold outside [0, 1]', () => {
    for (const threshold of [-0.1, 1.1, Number.NaN]) {
      expect(() => judgeCandidate(importCandidate(), ctx(), { threshold })).toThrow(RangeError);
    }
  });
});

describe('isGeneratedFile', () => {
  it.each<[string, string | null, boolean]>([
    ['src/a.ts', '// @generated by protoc\nexport {};\n', true],
    ['src/a.ts', '/**\n * Copyright\n *\n * @generated\n */\n', true],
    ['src/a.ts', '// Code generated by openapi. DO NOT EDIT.\n', true],
    ['src/a.ts', 'a\nb\nc\nd\ne\n// @generated\n', false],
    ['src/a.ts', `// ${'x'.repeat(1000)}\n// @generated\n`, false],
    ['src/a.ts', "export const banner = 'not generated';\n", false],
    ['src/a.ts', null, false],
    ['types/env.d.ts', null, true],
    ['dist/index.ts', null, true],
    ['packages/core/build/x.ts', '', true],
    ['out/x.ts', '', true],
    ['src/generated/api.ts', '', true],
    ['src/__generated__/schema.ts', '', true],
    ['src/distance.ts', '', false],
    ['src/builder/x.ts', '', false],
    ['src/dist.ts', '', false],
  ])('%s is generated: %s -> %s', (file, text, expected) => {
    expect(isGeneratedFile(file, text)).toBe(expected);
  });
});

describe('rewrites only the model can make', () => {
  const longFunction = Candidate.parse({
    id: 'lf-1',
    rule: 'long-function',
    file: 'src/a.ts',
    line: 1,
    endLine: 90,
    message: "Function 'big' is 90 lines long (limit 80)",
    evidence: { kind: 'long-function', name: 'big', lines: 90, limit: 80 },
  });
  const text = 'export function big() {\n  return 1;\n}\n';

  it('wait as needs_llm without a model', () => {
    expect(judge(longFunction, { fileText: text })).toMatchObject({
      verdict: 'defer',
      reason: 'needs_llm',
      changeType: 'split_long_function',
    });
  });

  it('go to the model fixer when a model is configured', () => {
    expect(judge(longFunction, { fileText: text, llmAvailable: true })).toMatchObject({
      verdict: 'fix',
      reason: 'model_rewrite',
      changeType: 'split_long_function',
      confidence: 0.72,
    });
  });
});
