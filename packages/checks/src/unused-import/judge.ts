import type { Candidate } from '@selfreview/shared/schemas';
import { drop, type JudgeContext, type Verdict } from '../lib/judge.ts';
import { CHANGE_TYPE, type UnusedImportEvidence } from './schema.ts';

const DECLARATION_FILE = /\.d\.(?:[^./]+\.)?[cm]?ts$/;
const AUGMENTATION = /(?<![\w$])declare\s+(?:module|global)(?![\w$])/;

/** Whether a `.d.ts` (also `.d.mts`, `.d.cts` and `.d.<ext>.ts`) file. */
export function isDeclarationFile(file: string): boolean {
  return DECLARATION_FILE.test(file);
}

export function judge(candidate: Candidate, evidence: UnusedImportEvidence, ctx: JudgeContext): Verdict {
  const subject = `'${evidence.name}' from '${evidence.moduleSpecifier}'`;

  // Checked before `generated_file` because `.d.ts` files also count as generated,
  // and "declaration file" is the reason a person can act on.
  if (isDeclarationFile(candidate.file)) {
    return drop(
      'declaration_file',
      `${candidate.file} is a declaration file, where an import can shape the declared types; ${subject} stays.`,
      0.9,
    );
  }
  if (ctx.isGenerated) {
    return drop(
      'generated_file',
      `${candidate.file} is generated; the generator would put ${subject} back.`,
      0.95,
    );
  }
  if (ctx.fileText === null) {
    return drop('stale', `${candidate.file} no longer exists at the current head.`, 0.95);
  }
  if (!containsStatement(ctx.fileText, evidence.statement) || !containsBinding(ctx.fileText, evidence.name)) {
    return drop('stale', `The import of ${subject} is no longer in ${candidate.file} as scanned.`, 0.9);
  }
  // `declare module`/`declare global` augment only from a module: an import can be what makes
  // the file one, and an import of the augmented module can decide what is augmented. Removing
  // any other unused import from a file that stays a module changes nothing augmented.
  if (AUGMENTATION.test(ctx.fileText) && !safeInAugmentingFile(ctx.fileText, evidence)) {
    return drop(
      'module_augmentation',
      `${candidate.file} augments a module or the global scope; removing ${subject} could change what is augmented.`,
      0.85,
    );
  }

  const kind = evidence.typeOnly ? 'type-only import' : `${evidence.form} import`;
  return {
    verdict: 'fix',
    reason: 'unused_import',
    detail: `The ${kind} ${subject} is never used; remove it.`,
    confidence: fixConfidence(evidence.typeOnly, evidence.form),
    changeType: CHANGE_TYPE,
  };
}

/**
 * Type-only imports vanish from the emitted code, so removing one cannot change
 * behaviour. A namespace or `import x = require()` more often stands in for a module's
 * side effects or is reached dynamically, so those rank lowest.
 */
function fixConfidence(typeOnly: boolean, form: UnusedImportEvidence['form']): number {
  if (typeOnly) return 0.95;
  return form === 'named' || form === 'default' ? 0.9 : 0.85;
}

/**
 * Whether removing the import leaves an augmenting file as it was: the file stays a module (a
 * top-level `export`, or another import statement, remains) and the import is not of a module
 * the file augments. Top level means unindented, so the `export`s inside a `declare module`
 * block do not count.
 */
function safeInAugmentingFile(fileText: string, evidence: UnusedImportEvidence): boolean {
  const augmented = [...fileText.matchAll(/(?<![\w$])declare\s+module\s+(['"])(.+?)\1/g)].map((m) => m[2]);
  if (augmented.includes(evidence.moduleSpecifier)) return false;
  const topLevelExport = /^export\b/m.test(fileText);
  const otherImports = fileText
    .split('\n')
    .filter((line) => /^import\b/.test(line) && !evidence.statement.startsWith(line.trim())).length;
  return topLevelExport || otherImports > 0;
}

const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** A formatter may have rewrapped the statement since scan; that alone does not make it stale. */
function containsStatement(fileText: string, statement: string): boolean {
  return fileText.includes(statement) || squash(fileText).includes(squash(statement));
}

function containsBinding(fileText: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`, 'u').test(fileText);
}
