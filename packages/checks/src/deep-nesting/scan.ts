import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import { namePath } from '../lib/names.ts';
import type { ScanFinding, ScanInput } from '../lib/scan.ts';
import type { DeepNestingEvidence, DeepNestingOptions } from './schema.ts';

/** The statements that open a nesting level, named for fingerprints and messages. */
type Construct = 'if' | 'for' | 'for-in' | 'for-of' | 'while' | 'do' | 'switch' | 'try' | 'with' | 'block';

/**
 * Reports control blocks nested more than `maxDepth` deep inside one function,
 * counted the way ESLint's `max-depth` counts them: each `if` (an `else if` stays at its
 * chain's depth), loop, `switch`, `try` and `with` opens a level; its own blocks, `else`,
 * `case`, `catch` and `finally` do not open another; every function, method, accessor and
 * class static block starts again from 0, and so does the module's top level.
 *
 * Deliberate differences from ESLint:
 * - A bare block `{ ... }` opens a level (ESLint ignores it): it indents like one. A block
 *   directly in a `case` clause (`case 1: { ... }`) does not: it is the usual way to scope
 *   a `const` to one case, not a level of logic.
 * - ESLint skips any `if` whose parent is an `if`; here only the `else if` of a chain is
 *   skipped, so the unbraced `if (a) if (b) ...` nests like its braced form.
 * - ESLint reports every statement past the limit; here a too-deep statement is reported
 *   once, with the deepest level reached inside it, and the statements below it are not.
 *   Functions inside it are judged on their own, as ESLint does.
 */
export const scan: ScanPart<DeepNestingOptions, DeepNestingEvidence> = {
  semantic: false,
  analyze(input: ScanInput<DeepNestingOptions>): ScanFinding<DeepNestingEvidence>[] {
    const limit = input.options.maxDepth;
    const findings: ScanFinding<DeepNestingEvidence>[] = [];

    const walk = (node: ts.Node, depth: number, owner: string, insideReported: boolean): void => {
      if (startsCount(node)) {
        const name = namePath(node);
        ts.forEachChild(node, (child) => walk(child, 0, name, false));
        return;
      }
      const construct = constructOf(node);
      let inner = depth;
      let reported = insideReported;
      if (construct !== undefined) {
        inner = depth + 1;
        if (inner > limit && !insideReported) {
          findings.push(findingOf(input, node, construct, owner, deepestLevel(node, inner), limit));
          reported = true;
        }
      }
      ts.forEachChild(node, (child) => walk(child, inner, owner, reported));
    };

    ts.forEachChild(input.sourceFile, (child) => walk(child, 0, '<module>', false));
    return findings;
  },
};

function findingOf(
  { sourceFile, file }: ScanInput<DeepNestingOptions>,
  node: ts.Node,
  construct: Construct,
  functionName: string,
  depth: number,
  limit: number,
): ScanFinding<DeepNestingEvidence> {
  const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
  const endLine = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
  const firstLine = (node.getText(sourceFile).split(/\r\n|\r|\n|\u2028|\u2029/)[0] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const evidence: DeepNestingEvidence = { kind: 'deep-nesting', functionName, depth, limit };
  return {
    rule: 'deep-nesting',
    file,
    line,
    endLine,
    message: `blocks nested ${depth} deep in '${functionName}' (limit ${limit})`,
    evidence,
    fingerprint: `${functionName}:${construct}:${firstLine}`,
  };
}

/** Whether `node` starts a nesting count of its own (ESLint: functions and static blocks). */
function startsCount(node: ts.Node): boolean {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isClassStaticBlockDeclaration(node)
  );
}

function constructOf(node: ts.Node): Construct | undefined {
  switch (node.kind) {
    case ts.SyntaxKind.IfStatement: {
      const parent = node.parent;
      return ts.isIfStatement(parent) && parent.elseStatement === node ? undefined : 'if';
    }
    case ts.SyntaxKind.ForStatement:
      return 'for';
    case ts.SyntaxKind.ForInStatement:
      return 'for-in';
    case ts.SyntaxKind.ForOfStatement:
      return 'for-of';
    case ts.SyntaxKind.WhileStatement:
      return 'while';
    case ts.SyntaxKind.DoStatement:
      return 'do';
    case ts.SyntaxKind.SwitchStatement:
      return 'switch';
    case ts.SyntaxKind.TryStatement:
      return 'try';
    case ts.SyntaxKind.WithStatement:
      return 'with';
    case ts.SyntaxKind.Block:
      return isBareBlock(node.parent) ? 'block' : undefined;
    default:
      return undefined;
  }
}

/**
 * A block is bare when it stands in a statement list rather than being the body of a
 * statement, function or clause. A labelled block (`done: { ... }`) is bare too.
 */
function isBareBlock(parent: ts.Node): boolean {
  return (
    ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isModuleBlock(parent) || ts.isLabeledStatement(parent)
  );
}

/** The deepest level reached inside `node` (itself at `depth`), not counting nested functions. */
function deepestLevel(node: ts.Node, depth: number): number {
  let deepest = depth;
  const visit = (child: ts.Node): void => {
    if (startsCount(child)) return;
    if (constructOf(child) === undefined) {
      ts.forEachChild(child, visit);
    } else {
      deepest = Math.max(deepest, deepestLevel(child, depth + 1));
    }
  };
  ts.forEachChild(node, visit);
  return deepest;
}
