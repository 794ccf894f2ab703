/**
 * Code that is unused on purpose. A compiler's "declared but never used" is true of a
 * name the author marked as unused (`_x`, or a pattern the repository's linter ignores),
 * of a declaration whose only job is to be typechecked (type tests, `const x: T = value`
 * assertions, `satisfies`, `@ts-expect-error`), and of scaffolding inside a test body.
 * Removing any of these is a change a reviewer rejects, so they are never `fix`.
 */

import { ts } from '@selfreview/shared/compiler';
import { enclosingTestBlock } from '@selfreview/shared/repo-files';
import type { Candidate } from '@selfreview/shared/schemas';
import type { BindingKind, UnusedNameConventions } from './conventions.ts';
import { defer, drop, type JudgeContext, type Verdict } from './judge.ts';

/** Calls of vitest's expectTypeOf/assertType and tsd's assertions: a declaration holding one is a type test. */
const TYPE_ASSERTION_CALL =
  /(?<![\w$.])(?:expectTypeOf|assertType|expectType|expectNotType|expectError|expectAssignable|expectNotAssignable|expectDeprecated|expectNotDeprecated)\s*[<(]/;
/** Type-level assertion helpers (`type _ = Expect<Equal<A, B>>`), as type-challenges and many libraries name them. */
const ASSERTION_TYPES = new Set([
  'Expect',
  'ExpectTrue',
  'ExpectFalse',
  'Assert',
  'AssertTrue',
  'AssertFalse',
  'IsTrue',
  'IsFalse',
  'IsExact',
  'Equal',
  'Equals',
  'IsEqual',
  'TypeEqual',
]);

/**
 * Whether an unused local or parameter is unused on purpose, and why; undefined when
 * nothing says so and the rule's own judgement decides. `name` is the declaring
 * identifier found at head, `declaration` its parent.
 */
export function unusedOnPurpose(
  candidate: Candidate,
  name: ts.Identifier,
  declaration: ts.Node,
  ctx: JudgeContext,
): Verdict | undefined {
  const subject = `'${name.text}'`;
  const kind = bindingKind(name);
  const marked = markedUnused(name.text, kind, ctx.unusedNames);
  if (marked) return drop('intentionally_unused', `${subject} ${marked}; it is unused on purpose.`, 0.95);
  if (ctx.typeTestFile) {
    return drop(
      'type_test',
      `${candidate.file} is a type test (${ctx.typeTestFile}): its declarations exist to be typechecked.`,
      0.95,
    );
  }
  if (kind !== 'args') {
    const assertion = typeAssertion(declaration, ctx.testFile === true);
    if (assertion) return assertion.verdict(`${subject} ${assertion.why}`);
  }
  const block = ctx.testFile ? enclosingTestBlock(declaration) : undefined;
  if (block) {
    const call = block.expression.getText().split(/[(`]/)[0];
    return drop(
      'test_code',
      `${subject} is declared inside a \`${call}(...)\` block of a test file; test bodies are left to their authors.`,
      0.85,
    );
  }
  return undefined;
}

/** Which of no-unused-vars' ignore patterns governs a name: parameters, catch bindings, array destructuring, or the rest. */
export function bindingKind(name: ts.Identifier): BindingKind {
  let node: ts.Node = name.parent;
  if (ts.isTypeParameterDeclaration(node)) return 'vars';
  const inArrayPattern = ts.isBindingElement(node) && ts.isArrayBindingPattern(node.parent);
  while (ts.isBindingElement(node) || ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node))
    node = node.parent;
  if (ts.isParameter(node)) return 'args';
  if (ts.isVariableDeclaration(node) && ts.isCatchClause(node.parent)) return 'caughtErrors';
  return inArrayPattern ? 'destructuredArray' : 'vars';
}

/** How a name is marked as unused on purpose, in words; undefined when it is not. */
export function markedUnused(
  text: string,
  kind: BindingKind,
  conventions: UnusedNameConventions | undefined,
): string | undefined {
  if (kind === 'args' && conventions?.argsNotChecked) {
    return `is a parameter, and the repository's lint configuration does not report unused parameters (${conventions.argsNotChecked})`;
  }
  for (const p of conventions?.patterns ?? []) {
    // ESLint applies varsIgnorePattern to destructured array elements too.
    const applies = p.kind === kind || (p.kind === 'vars' && kind === 'destructuredArray');
    if (applies && p.pattern.test(text)) return `matches ${p.source}`;
  }
  if (text.startsWith('_')) {
    const also = conventions?.underscoreSources.length
      ? ` (as ${conventions.underscoreSources.join(', ')} expects)`
      : '';
    return `starts with '_', the convention for a name left unused${also}`;
  }
  return undefined;
}

type Assertion = { why: string; verdict: (detail: string) => Verdict };

const dropAssertion = (why: string): Assertion => ({
  why,
  verdict: (detail) => drop('type_assertion', `${detail}; removing it removes a compile-time check.`, 0.9),
});

/**
 * A declaration whose point is to be typechecked: it holds `@ts-expect-error` or a
 * type-assertion call, its initializer uses `satisfies`, it is a type alias of an
 * assertion helper, or it is `const x: T = value` (assigning a value to a declared type is
 * the check). Outside test files a typed assignment of a fresh literal is ordinary dead
 * code, and one of an existing value is only deferred: it may be a check or a leftover.
 */
function typeAssertion(declaration: ts.Node, inTestFile: boolean): Assertion | undefined {
  const statement = enclosingStatement(declaration);
  if (/@ts-expect-error\b/.test(statement.getFullText())) {
    return dropAssertion('carries a @ts-expect-error directive: it asserts that a type error happens');
  }
  if (TYPE_ASSERTION_CALL.test(statement.getText())) {
    return dropAssertion('holds a type assertion (expectTypeOf, assertType or a tsd assertion)');
  }
  if (ts.isTypeAliasDeclaration(declaration) && isAssertionType(declaration.type)) {
    return dropAssertion(`is a type-level assertion (${declaration.type.getText().split('<')[0]}<...>)`);
  }
  if (!ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  const value = skipParentheses(declaration.initializer);
  if (ts.isSatisfiesExpression(value)) {
    return dropAssertion('checks its value with `satisfies`');
  }
  if (!declaration.type) return undefined;
  const typed = `is a typed assignment (\`: ${declaration.type.getText()}\`) whose annotation is the check`;
  if (inTestFile) return dropAssertion(typed);
  if (isExistingValue(value)) {
    return {
      why: typed,
      verdict: (detail) =>
        defer(
          'type_assertion',
          `${detail}, or a leftover; a person decides whether the check is wanted.`,
          0.6,
        ),
    };
  }
  return undefined;
}

function isAssertionType(type: ts.TypeNode): boolean {
  return (
    ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && ASSERTION_TYPES.has(type.typeName.text)
  );
}

/** A value that exists elsewhere (a name, a member, a cast): assigning it to a type checks its type. */
function isExistingValue(node: ts.Expression): boolean {
  return (
    ts.isIdentifier(node) ||
    ts.isPropertyAccessExpression(node) ||
    ts.isElementAccessExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isTypeAssertionExpression(node)
  );
}

function skipParentheses(node: ts.Expression): ts.Expression {
  let n = node;
  while (ts.isParenthesizedExpression(n)) n = n.expression;
  return n;
}

function enclosingStatement(node: ts.Node): ts.Node {
  let n = node;
  while (n.parent && !ts.isSourceFile(n.parent) && !ts.isBlock(n.parent) && !ts.isModuleBlock(n.parent))
    n = n.parent;
  return n;
}
