/**
 * Whether an identifier uses a name or merely spells it. Positions that only spell a name
 * (`o.name`, `{ name: 1 }`, member names, labels, the alias of `import x = …`, a re-export
 * from another module) are not references; anything else is, erring towards keeping code.
 * The codemods share this one answer; each adds only the positions its own question differs on.
 */
import { ts } from '@selfreview/shared/compiler';

export function isNameReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p)) return p.name !== id;
  if (ts.isQualifiedName(p)) return p.right !== id;
  if (
    ts.isPropertyAssignment(p) ||
    ts.isPropertyDeclaration(p) ||
    ts.isPropertySignature(p) ||
    ts.isMethodDeclaration(p) ||
    ts.isMethodSignature(p) ||
    ts.isGetAccessorDeclaration(p) ||
    ts.isSetAccessorDeclaration(p) ||
    ts.isEnumMember(p) ||
    ts.isJsxAttribute(p) ||
    ts.isNamedTupleMember(p) ||
    ts.isImportEqualsDeclaration(p)
  ) {
    return p.name !== id;
  }
  if (ts.isBindingElement(p)) return p.propertyName !== id;
  if (ts.isLabeledStatement(p) || ts.isBreakStatement(p) || ts.isContinueStatement(p)) return p.label !== id;
  if (ts.isMetaProperty(p)) return false;
  if (ts.isExportSpecifier(p)) {
    // `export { a } from 'm'` re-exports another module's `a`; `export { a as b }` uses `a` only.
    if (p.parent.parent.moduleSpecifier) return false;
    return (p.propertyName ?? p.name) === id;
  }
  return true;
}

const JSDOC_LINK = /\{@link(?:code|plain)?\s+([\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)/gu;

/**
 * Names linked from comments with `{@link name}`: tsc resolves the link through the binding,
 * so such a name is in use. Matched over the whole text rather than JSDoc nodes only: a stray
 * match merely keeps a declaration.
 */
export function linkedNames(text: string): string[] {
  return [...text.matchAll(JSDOC_LINK)].map((m) => m[1] as string);
}
