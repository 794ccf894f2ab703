/**
 * Names of functions for a reader and the syntax questions the checks share (is this a
 * function with a body, does it carry a modifier). Pure.
 */
import { ts } from '@selfreview/shared/compiler';

/** A function, method, constructor or accessor that has a body (not an overload signature). */
export type FunctionWithBody = ts.FunctionLikeDeclaration & { body: ts.ConciseBody };

export function isFunctionWithBody(node: ts.Node): node is FunctionWithBody {
  return isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined;
}

/**
 * A function, method, constructor or accessor, with a body or not. One switch on the kind:
 * rules ask this of every node of every file.
 */
export function isFunctionLike(node: ts.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
      return true;
    default:
      return false;
  }
}

/**
 * The dotted path that names `node` for a reader: the names of the namespaces, classes,
 * named object literals and functions around it, outermost first, ending with its own,
 * e.g. `Parser.parseExpression`, `outer.inner`, `handlers.onClick`, `Parser.parse.<anonymous>`.
 * Object literals without a name of their own add nothing; other unnamed containers are
 * `<anonymous>`, anonymous default exports `default`.
 */
export function namePath(node: ts.Node): string {
  const segments: string[] = [];
  for (let n: ts.Node | undefined = node; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    const segment = segmentName(n);
    if (segment !== undefined) segments.push(segment);
  }
  return segments.reverse().join('.');
}

function segmentName(node: ts.Node): string | undefined {
  if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) {
    return node.name?.text ?? (hasModifier(node, ts.SyntaxKind.DefaultKeyword) ? 'default' : '<anonymous>');
  }
  if (ts.isFunctionExpression(node) || ts.isClassExpression(node)) {
    return node.name?.text ?? contextualName(node) ?? '<anonymous>';
  }
  if (ts.isArrowFunction(node)) return contextualName(node) ?? '<anonymous>';
  if (
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  ) {
    return propertyNameText(node.name);
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isClassStaticBlockDeclaration(node)) return '<static>';
  if (ts.isModuleDeclaration(node)) return node.name.text;
  if (ts.isObjectLiteralExpression(node)) return contextualName(node);
  return undefined;
}

/**
 * The name an unnamed expression gets from where it sits: the variable, property,
 * parameter or assignment target it initializes, or `default` for `export default`.
 */
function contextualName(node: ts.Expression): string | undefined {
  let child: ts.Node = node;
  let parent = node.parent;
  while (
    ts.isParenthesizedExpression(parent) ||
    ts.isAsExpression(parent) ||
    ts.isSatisfiesExpression(parent) ||
    ts.isTypeAssertionExpression(parent) ||
    ts.isNonNullExpression(parent)
  ) {
    child = parent;
    parent = parent.parent;
  }
  if (ts.isVariableDeclaration(parent) || ts.isParameter(parent)) {
    return parent.initializer === child && ts.isIdentifier(parent.name) ? parent.name.text : undefined;
  }
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.initializer === child ? propertyNameText(parent.name) : undefined;
  }
  if (
    ts.isBinaryExpression(parent) &&
    parent.right === child &&
    parent.operatorToken.kind === ts.SyntaxKind.EqualsToken
  ) {
    return assignedName(parent.left);
  }
  if (ts.isExportAssignment(parent)) return 'default';
  return undefined;
}

function assignedName(target: ts.Expression): string | undefined {
  if (ts.isIdentifier(target)) return target.text;
  if (ts.isPropertyAccessExpression(target)) return target.name.text;
  if (ts.isElementAccessExpression(target) && ts.isStringLiteralLike(target.argumentExpression)) {
    return target.argumentExpression.text;
  }
  return undefined;
}

export function propertyNameText(name: ts.PropertyName): string {
  if (ts.isComputedPropertyName(name)) return `[${name.expression.getText().replace(/\s+/g, ' ')}]`;
  return name.text;
}

export function hasModifier(node: ts.Node, kind: ts.ModifierSyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}
