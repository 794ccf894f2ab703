/**
 * A fix that removes the only use of another name leaves that name unused (TS6133, TS6196,
 * TS6192, TS6198): `const total = sum(xs); const unused = total * 2;` loses `unused`, and
 * `total` is next. Rather than fail a fix for being incomplete, the batch finishes it with
 * the same codemods when the leftover is the same kind of finding the same judgement would
 * let through: a declaration or import in that file, not a parameter, not marked unused on
 * purpose. Pure: the processor applies the items this returns and re-verifies.
 */
import type { FixItem } from '@selfreview/shared/schemas';
import { scriptKindFor } from '@selfreview/shared/syntax';
import { ts } from 'ts-morph';
import type { Diagnostic } from './typecheck-output.ts';

/** The compiler's "declared but never used" family. */
export const UNUSED_CODES: ReadonlySet<number> = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205]);

export type FollowUp = {
  /** Items the codemods can finish in this batch. */
  items: FixItem[];
  /** Leftovers they can't (parameters, underscore names, unknown shapes), described for the report. */
  leftovers: string[];
};

export function followUpItems(
  file: string,
  text: string,
  diagnostics: readonly Diagnostic[],
  confidence: number,
): FollowUp {
  const items: FixItem[] = [];
  const leftovers: string[] = [];
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindFor(file));
  for (const d of diagnostics) {
    if (d.file !== file || !UNUSED_CODES.has(d.code)) continue;
    const name = /'([^']+)'/.exec(d.message)?.[1];
    const where = `TS${d.code} line ${d.line}`;
    if (!name) {
      leftovers.push(`${where}: ${firstLine(d.message)}`);
      continue;
    }
    if (name.startsWith('_')) {
      leftovers.push(`${name} (${where}): named as unused on purpose`);
      continue;
    }
    const item = itemFor(sf, file, name, d, confidence);
    if (item) items.push(item);
    else leftovers.push(`${name} (${where}): not a declaration the codemods finish`);
  }
  return { items, leftovers };
}

function itemFor(
  sf: ts.SourceFile,
  file: string,
  name: string,
  d: Diagnostic,
  confidence: number,
): FixItem | null {
  const decl = declarationAt(sf, name, d.line);
  if (!decl) return null;
  const line = d.line;
  const base = { id: `follow-up:${file}:${name}:${line}`, file, line, endLine: line, message: '' };
  const statementText = (n: ts.Node) => n.getText(sf).split('\n')[0]?.slice(0, 200) ?? '';

  if (ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl)) {
    const importDecl = findAncestor(decl, ts.isImportDeclaration);
    if (!importDecl || !ts.isStringLiteral(importDecl.moduleSpecifier)) return null;
    const form = ts.isImportSpecifier(decl) ? 'named' : ts.isNamespaceImport(decl) ? 'namespace' : 'default';
    const typeOnly =
      Boolean(importDecl.importClause?.isTypeOnly) || (ts.isImportSpecifier(decl) && decl.isTypeOnly);
    return {
      candidate: {
        ...base,
        rule: 'unused-import',
        message: `'${name}' is imported but no longer used after the fix`,
        evidence: {
          kind: 'unused-import',
          name,
          importedName: ts.isImportSpecifier(decl)
            ? (decl.propertyName ?? decl.name).text
            : form === 'namespace'
              ? '*'
              : 'default',
          form,
          moduleSpecifier: importDecl.moduleSpecifier.text,
          typeOnly,
          statement: statementText(importDecl),
        },
      },
      changeType: 'remove_unused_import',
      confidence,
    };
  }

  const kind = ts.isVariableDeclaration(decl)
    ? 'variable'
    : ts.isFunctionDeclaration(decl)
      ? 'function'
      : ts.isClassDeclaration(decl)
        ? 'class'
        : ts.isInterfaceDeclaration(decl)
          ? 'interface'
          : ts.isTypeAliasDeclaration(decl)
            ? 'type'
            : ts.isEnumDeclaration(decl)
              ? 'enum'
              : null;
  if (!kind) return null;
  const initializer =
    ts.isVariableDeclaration(decl) && decl.initializer ? decl.initializer.getText(sf).slice(0, 200) : null;
  return {
    candidate: {
      ...base,
      rule: 'unused-local',
      message: `'${name}' is declared but no longer used after the fix`,
      evidence: {
        kind: 'unused-local',
        name,
        declarationKind: kind,
        initializer,
        destructured: false,
        code: d.code,
        statement: statementText(decl),
      },
    },
    changeType: 'remove_unused_local',
    confidence,
  };
}

/** The declaration named `name` whose name sits on `line` (1-based); parameters are not looked for. */
function declarationAt(sf: ts.SourceFile, name: string, line: number): ts.Node | null {
  let found: ts.Node | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const declName = (node as { name?: ts.Node }).name;
    if (
      declName &&
      ts.isIdentifier(declName) &&
      declName.text === name &&
      !ts.isParameter(node) &&
      sf.getLineAndCharacterOfPosition(declName.getStart(sf)).line + 1 === line
    ) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function findAncestor<T extends ts.Node>(node: ts.Node, is: (n: ts.Node) => n is T): T | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (is(n)) return n;
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
