/** Helpers shared by the judgements: finding a candidate's declaration again at head. */
import { ts } from 'ts-morph';
import type { Verdict } from './types.ts';

export function drop(reason: string, detail: string, confidence: number): Verdict {
  return { verdict: 'drop', reason, detail, confidence };
}

export function defer(reason: string, detail: string, confidence: number): Verdict {
  return { verdict: 'defer', reason, detail, confidence };
}

export function mismatch(rule: string, kind: string): Verdict {
  return defer(
    'evidence_mismatch',
    `A ${rule} candidate carries ${kind} evidence; scan and apply disagree.`,
    0,
  );
}

/** Every identifier that declares `name` (the name of its parent declaration), in source order. */
export function declarationsOf(sourceFile: ts.SourceFile, name: string): ts.Identifier[] {
  const found: ts.Identifier[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === name) {
      const parent = node.parent as ts.Node & { name?: ts.Node };
      if (parent && parent.name === node) found.push(node);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** How many identifiers in the file carry `name`, declarations included. */
export function occurrences(sourceFile: ts.SourceFile, name: string): number {
  let count = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      if (node.text === name) count++;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return count;
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

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
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
