import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import { isFunctionLike, namePath } from '../lib/names.ts';
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
    const braces = new NextBrace(input.sourceFile.text);
    const findings: ScanFinding<DeepNestingEvidence>[] = [];

    // The walk's state, saved and restored around each level rather than passed in a new
    // closure per node: this runs for every node of every file. `owner` is the function the
    // count belongs to (undefined at the module's top level); its name is worked out only
    // for a finding, since almost no function has one.
    let depth = 0;
    let owner: ts.Node | undefined;
    let insideReported = false;
    const visit = (node: ts.Node): void => {
      if (startsCount(node)) {
        const [outerDepth, outerOwner, outerReported] = [depth, owner, insideReported];
        depth = 0;
        owner = node;
        insideReported = false;
        ts.forEachChild(node, visit);
        [depth, owner, insideReported] = [outerDepth, outerOwner, outerReported];
        return;
      }
      const construct = constructOf(node);
      if (construct === undefined) {
        if (holdsNoStatement(node, braces)) return;
        ts.forEachChild(node, visit);
        return;
      }
      const [outerDepth, outerReported] = [depth, insideReported];
      depth += 1;
      if (depth > limit && !insideReported) {
        const name = owner === undefined ? '<module>' : namePath(owner);
        findings.push(findingOf(input, node, construct, name, deepestLevel(node, depth), limit));
        insideReported = true;
      }
      ts.forEachChild(node, visit);
      [depth, insideReported] = [outerDepth, outerReported];
    };

    ts.forEachChild(input.sourceFile, visit);
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
  return isFunctionLike(node) || node.kind === ts.SyntaxKind.ClassStaticBlockDeclaration;
}

/**
 * Whether `node` can hold no statement, so no nesting: outside the statements that take a
 * statement without braces (`if (a) if (b) ...`, a label, a `case`), a statement inside a
 * node needs a block, a function body or a class body, and each of those has a `{`. Text
 * without one (an expression, a `return x;`, a type) is skipped instead of walked: on real
 * code that is most of a file. A `{` in a string or comment only means the node is walked.
 */
function holdsNoStatement(node: ts.Node, braces: NextBrace): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.IfStatement: // an `else if`: not a level of its own, but holds statements
    case ts.SyntaxKind.LabeledStatement:
    case ts.SyntaxKind.CaseClause:
    case ts.SyntaxKind.DefaultClause:
      return false;
    default:
      return braces.from(node.pos) >= node.end;
  }
}

/**
 * The first `{` at or after a position. Asked in source order (the walk's), each answer holds
 * until a position passes it, so a file is searched about once in all rather than once per
 * node (a long file with few braces would otherwise cost the square of its length); a
 * position before the last one asked is searched afresh.
 */
class NextBrace {
  private asked = 0;
  private at = -1;
  constructor(private readonly text: string) {}

  from(pos: number): number {
    if (pos < this.asked || this.at < pos) {
      const found = this.text.indexOf('{', pos);
      this.at = found === -1 ? Number.POSITIVE_INFINITY : found;
    }
    this.asked = pos;
    return this.at;
  }
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
