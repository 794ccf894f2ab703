import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import type { JudgeContext } from '../../lib/judge.ts';
import { decide, judgeContext } from '../../lib/test/helpers.ts';
import { CheckCandidate } from '../../registry.ts';
import type { UnusedImportEvidence } from '../schema.ts';

const IMPORT = "import { readFile } from 'node:fs/promises';";
const SOURCE = `${IMPORT}\n\nexport const x = 1;\n`;

function importCandidate(evidence: Partial<UnusedImportEvidence> = {}, file = 'src/a.ts'): Candidate {
  return CheckCandidate.parse({
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

const judge = (candidate: Candidate, over: Partial<JudgeContext> = {}): Decision =>
  decide(candidate, judgeContext(over.fileText === undefined ? SOURCE : over.fileText, over));

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

  it.each([
    `${IMPORT}\ndeclare module 'react' {\n  export interface CSSProperties { tw?: string }\n}\nexport default function Page() {}\n`,
    `import { join } from 'node:path';\n${IMPORT}\ndeclare global {\n  var __DEV__: boolean;\n}\nconsole.log(join('a'));\n`,
  ])('fixes an import in an augmenting file that stays a module without it: %j', (fileText) => {
    expect(judge(importCandidate(), { fileText })).toMatchObject({ verdict: 'fix', reason: 'unused_import' });
  });

  it('keeps the import of the module a file augments', () => {
    const fileText = `${IMPORT}\ndeclare module 'node:fs/promises' {\n  export const extra: number;\n}\nexport const x = 1;\n`;
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
