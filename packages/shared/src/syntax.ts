/**
 * Syntax facts more than one stage needs (scan parses, apply judges, fix edits); pure.
 */
import { ts } from './compiler.ts';

/** Re-exported: the parser's rule, kept with it in `compiler.ts`. */
export { scriptKindFor } from './compiler.ts';

/**
 * Whether evaluating an expression can do anything besides producing its value. Removing
 * an unused variable also removes its initializer, so only initializers that certainly do
 * nothing may go (typescript-eslint removed its autofix for exactly this reason). Anything
 * not known to be inert counts as a side effect: a call, `new`, `await`, an assignment,
 * `++`, `delete`, a property read (a getter), a spread (an iterator), a tagged template.
 */
export function hasSideEffects(expression: ts.Expression): boolean {
  const e = skipOuter(expression);
  switch (e.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.RegularExpressionLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.ThisKeyword:
    case ts.SyntaxKind.Identifier:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      return false;
    case ts.SyntaxKind.TemplateExpression:
      return (e as ts.TemplateExpression).templateSpans.some((s) => hasSideEffects(s.expression));
    case ts.SyntaxKind.ArrayLiteralExpression:
      return (e as ts.ArrayLiteralExpression).elements.some(
        (el) => ts.isSpreadElement(el) || (!ts.isOmittedExpression(el) && hasSideEffects(el)),
      );
    case ts.SyntaxKind.ObjectLiteralExpression:
      return (e as ts.ObjectLiteralExpression).properties.some((p) => {
        if (ts.isPropertyAssignment(p)) {
          return (
            (ts.isComputedPropertyName(p.name) && hasSideEffects(p.name.expression)) ||
            hasSideEffects(p.initializer)
          );
        }
        if (ts.isShorthandPropertyAssignment(p)) return false;
        if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) {
          return ts.isComputedPropertyName(p.name) && hasSideEffects(p.name.expression);
        }
        return true; // spread: reads every property, getters included
      });
    case ts.SyntaxKind.ConditionalExpression: {
      const c = e as ts.ConditionalExpression;
      return hasSideEffects(c.condition) || hasSideEffects(c.whenTrue) || hasSideEffects(c.whenFalse);
    }
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const u = e as ts.PrefixUnaryExpression;
      // `!x`, `-1`, `~x`; `++x`/`--x` write.
      return u.operator === ts.SyntaxKind.PlusPlusToken || u.operator === ts.SyntaxKind.MinusMinusToken
        ? true
        : hasSideEffects(u.operand);
    }
    case ts.SyntaxKind.TypeOfExpression:
      return hasSideEffects((e as ts.TypeOfExpression).expression);
    case ts.SyntaxKind.VoidExpression:
      return hasSideEffects((e as ts.VoidExpression).expression);
    case ts.SyntaxKind.BinaryExpression: {
      const b = e as ts.BinaryExpression;
      const op = b.operatorToken.kind;
      if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return true;
      // `in` and `instanceof` can run proxies and Symbol.hasInstance.
      if (op === ts.SyntaxKind.InKeyword || op === ts.SyntaxKind.InstanceOfKeyword) return true;
      return hasSideEffects(b.left) || hasSideEffects(b.right);
    }
    default:
      return true;
  }
}

function skipOuter(e: ts.Expression): ts.Expression {
  let current = e;
  for (;;) {
    if (
      ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isSatisfiesExpression(current)
    ) {
      current = current.expression;
    } else if (ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current)) {
      current = current.expression;
    } else {
      return current;
    }
  }
}
