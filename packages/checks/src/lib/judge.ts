/**
 * The judge part's contract (what a judgement may look at, what it answers) and the helpers
 * the judgements share: verdict shorthands and finding a candidate's declaration again at head.
 */
import { ts } from '@selfreview/shared/compiler';
import type { MemoryRecord } from '@selfreview/shared/memory';
import type { Decision, ImportSource } from '@selfreview/shared/schemas';
import type { UnusedNameConventions } from './conventions.ts';
import { hasModifier } from './names.ts';

/**
 * What a judgement may look at besides the candidate; gathered by the caller (apply's
 * processor, or the evaluation harness) so that judging stays pure.
 */
export interface JudgeContext {
  /** The file at the current head, null when the file is gone. */
  fileText: string | null;
  /** `fileText` parsed (with parent pointers), null when the file is gone. */
  sourceFile: ts.SourceFile | null;
  /** The file as scanned (the run's base commit): suppression comments are read by line there. */
  scannedText: string | null;
  isGenerated: boolean;
  llmAvailable: boolean;
  /** Repository modules (other than this file) that export a binding of this name at head. */
  exportersOf(name: string): readonly string[];
  /** How `module` exports `name` (type or value), for writing the import; absent in hand-made contexts. */
  importSourceOf?(name: string, module: string): ImportSource | undefined;
  /** Repository files other than this one that import `name` from this file at head. */
  importersOf(name: string): readonly string[];
  /** What happened to this finding on earlier runs, if anything. */
  memory?: MemoryRecord | undefined;
  /** Milliseconds since the epoch: memory windows are measured from here. */
  now: number;
  memoryDays: number;
  /** The file matches the repository's `protectedPaths`. */
  protectedPath: boolean;
  /** The file matches the repository's `ignore` globs. */
  ignoredPath: boolean;
  /** The repository's rules for names left unused on purpose (its lint configuration); absent: only the `_` convention. */
  unusedNames?: UnusedNameConventions;
  /** The file is a test by the repository's conventions (test globs, naming, runner config, a test-runner import). */
  testFile?: boolean;
  /** Why the file is a type test (exists to be typechecked, never run), when it is one. */
  typeTestFile?: string | undefined;
}

/** A decision before it is tied to its candidate: judgements never invent ids. */
export type Verdict = Omit<Decision, 'candidateId'>;

export function drop(reason: string, detail: string, confidence: number): Verdict {
  return { verdict: 'drop', reason, detail, confidence };
}

export function defer(reason: string, detail: string, confidence: number): Verdict {
  return { verdict: 'defer', reason, detail, confidence };
}

/** The answer when a candidate's evidence is not what its check describes: scan and apply disagree. */
export function mismatch(rule: string, kind: string): Verdict {
  const article = /^[aeiou]/.test(rule) ? 'An' : 'A';
  return defer(
    'evidence_mismatch',
    `${article} ${rule} candidate carries ${kind} evidence; scan and apply disagree.`,
    0,
  );
}

/** Every identifier that declares `name` (the name of its parent declaration), in source order. */
export function declarationsOf(sourceFile: ts.SourceFile, name: string): ts.Identifier[] {
  return [...(identifiersOf(sourceFile).declarations.get(name) ?? [])];
}

/** How many identifiers in the file carry `name`, declarations included. */
export function occurrences(sourceFile: ts.SourceFile, name: string): number {
  return identifiersOf(sourceFile).counts.get(name) ?? 0;
}

type Identifiers = {
  /** Identifiers that name their parent (`parent.name === node`), by text, in the order of the tree. */
  declarations: Map<string, ts.Identifier[]>;
  /** Every identifier, by text. */
  counts: Map<string, number>;
};

/**
 * One walk of a file's tree answers every name's declarationsOf and occurrences: a file with many
 * findings would otherwise be walked once per finding (zod's locale files: over a hundred).
 */
const identifierIndex = new WeakMap<ts.SourceFile, Identifiers>();

function identifiersOf(sourceFile: ts.SourceFile): Identifiers {
  let index = identifierIndex.get(sourceFile);
  if (index) return index;
  const found: Identifiers = { declarations: new Map(), counts: new Map() };
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const name = node.text;
      found.counts.set(name, (found.counts.get(name) ?? 0) + 1);
      const parent = node.parent as ts.Node & { name?: ts.Node };
      if (parent && parent.name === node) {
        const list = found.declarations.get(name);
        if (list) list.push(node);
        else found.declarations.set(name, [node]);
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  index = found;
  identifierIndex.set(sourceFile, index);
  return index;
}

export function lineOf(sourceFile: ts.SourceFile, node: ts.Node): number {
  return sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
}

/** The declaration nearest to the scanned line: lines may have moved a little since the scan. */
export function nearest<T extends ts.Node>(
  sourceFile: ts.SourceFile,
  nodes: readonly T[],
  line: number,
): T | undefined {
  let best: T | undefined;
  let distance = Number.POSITIVE_INFINITY;
  for (const node of nodes) {
    const d = Math.abs(lineOf(sourceFile, node) - line);
    if (d < distance) {
      best = node;
      distance = d;
    }
  }
  return best;
}

/** Whether a top-level declaration is exported (by a modifier or an `export { name }`). */
export function isExported(sourceFile: ts.SourceFile, declaration: ts.Node, name: string): boolean {
  if (hasModifier(declaration, ts.SyntaxKind.ExportKeyword)) return true;
  let statement: ts.Node = declaration;
  while (statement.parent && !ts.isSourceFile(statement.parent)) statement = statement.parent;
  if (hasModifier(statement, ts.SyntaxKind.ExportKeyword) && statement !== declaration) {
    // `export const f = () => {}`: the variable statement carries the modifier.
    return ts.isVariableStatement(statement);
  }
  return sourceFile.statements.some(
    (s) =>
      ts.isExportDeclaration(s) &&
      !s.moduleSpecifier &&
      s.exportClause !== undefined &&
      ts.isNamedExports(s.exportClause) &&
      s.exportClause.elements.some((e) => (e.propertyName ?? e.name).getText(sourceFile) === name),
  );
}
