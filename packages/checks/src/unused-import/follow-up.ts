import { ts } from '@selfreview/shared/compiler';
import { type FollowUpInput, firstLineOf } from '../lib/fix.ts';
import { findAncestor } from '../lib/semantic.ts';
import type { UnusedImportEvidence } from './schema.ts';

/** An import binding the fix left unused: removed in the same batch. */
export function followUp({ sourceFile, name, declaration: decl }: FollowUpInput) {
  if (!ts.isImportSpecifier(decl) && !ts.isImportClause(decl) && !ts.isNamespaceImport(decl))
    return undefined;
  const importDecl = findAncestor(decl, ts.isImportDeclaration);
  if (!importDecl || !ts.isStringLiteral(importDecl.moduleSpecifier)) return undefined;
  const form = ts.isImportSpecifier(decl) ? 'named' : ts.isNamespaceImport(decl) ? 'namespace' : 'default';
  const typeOnly =
    Boolean(importDecl.importClause?.isTypeOnly) || (ts.isImportSpecifier(decl) && decl.isTypeOnly);
  const evidence: UnusedImportEvidence = {
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
    statement: firstLineOf(importDecl, sourceFile),
  };
  return { message: `'${name}' is imported but no longer used after the fix`, evidence };
}
