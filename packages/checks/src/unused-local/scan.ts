import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import type { ScanFinding, ScanInput, SemanticDiagnostic } from '../lib/scan.ts';
import { nodeAt, positionOf, scopePath, shorten, type UnusedBinding, unusedOfKind } from '../lib/semantic.ts';
import type { UnusedLocalEvidence } from './schema.ts';

/**
 * Local declarations the compiler reports as never used or never read: variables (also
 * destructured ones), functions, classes, interfaces, type aliases, enums, namespaces and
 * private members. Semantic only: without the compiler's diagnostics it reports nothing,
 * because by name alone every shadowing and every `typeof x` would be a guess.
 */
export const scan: ScanPart<object, UnusedLocalEvidence> = {
  semantic: true,
  analyze(input: ScanInput): ScanFinding<UnusedLocalEvidence>[] {
    if (input.semantic === null) return [];
    // A diagnostic whose position leads to no declaration we know (a compiler change) is
    // still reported, so scan never reports less than the compiler.
    return unusedOfKind(input.sourceFile, input.semantic, 'local').map((entry) =>
      'unplaced' in entry ? rawFinding(input, entry.unplaced) : findingOf(input, entry.binding, entry.code),
    );
  },
};

function findingOf(
  { sourceFile, file }: ScanInput,
  binding: Extract<UnusedBinding, { kind: 'local' }>,
  code: number,
): ScanFinding<UnusedLocalEvidence> {
  const name = binding.name.text;
  const kind = declarationKind(binding.declaration, binding.name);
  const statement = statementOf(binding.declaration);
  const evidence: UnusedLocalEvidence = {
    kind: 'unused-local',
    name,
    declarationKind: kind,
    initializer: initializerOf(binding.declaration, sourceFile),
    destructured: ts.isBindingElement(binding.declaration),
    code,
    statement: shorten(statement.getText(sourceFile)),
  };
  const start = binding.name.getStart(sourceFile);
  return {
    rule: 'unused-local',
    file,
    line: sourceFile.getLineAndCharacterOfPosition(start).line + 1,
    endLine: sourceFile.getLineAndCharacterOfPosition(binding.declaration.getEnd()).line + 1,
    message: `${describeKind(kind)} '${name}' is declared but never used`,
    evidence,
    fingerprint: `${kind}\u0000${scopePath(binding.declaration)}\u0000${name}`,
  };
}

function rawFinding(
  { sourceFile, file }: ScanInput,
  diagnostic: SemanticDiagnostic,
): ScanFinding<UnusedLocalEvidence> {
  const name = /'([^']+)'/.exec(diagnostic.message)?.[1] ?? '';
  const pos = positionOf(sourceFile, diagnostic.line, diagnostic.column);
  const line = sourceFile.getLineAndCharacterOfPosition(pos).line + 1;
  return {
    rule: 'unused-local',
    file,
    line,
    endLine: line,
    message: diagnostic.message,
    evidence: {
      kind: 'unused-local',
      name,
      declarationKind: 'other',
      initializer: null,
      destructured: false,
      code: diagnostic.code,
      statement: shorten(nodeAt(sourceFile, pos).getText(sourceFile)),
    },
    fingerprint: `other\u0000${diagnostic.code}\u0000${name}`,
  };
}

function declarationKind(declaration: ts.Node, name: ts.Node): UnusedLocalEvidence['declarationKind'] {
  if (ts.isBindingElement(declaration)) return 'destructured';
  if (ts.isVariableDeclaration(declaration)) return 'variable';
  if (ts.isFunctionDeclaration(declaration)) return 'function';
  if (ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration)) return 'class';
  if (ts.isInterfaceDeclaration(declaration)) return 'interface';
  if (ts.isTypeAliasDeclaration(declaration)) return 'type';
  if (ts.isEnumDeclaration(declaration)) return 'enum';
  if (ts.isModuleDeclaration(declaration)) return 'namespace';
  if (ts.isPrivateIdentifier(name) || ts.isClassElement(declaration) || ts.isParameter(declaration)) {
    return 'private-member';
  }
  return 'other';
}

function describeKind(kind: UnusedLocalEvidence['declarationKind']): string {
  switch (kind) {
    case 'private-member':
      return 'private member';
    case 'destructured':
      return 'destructured variable';
    case 'type':
      return 'type alias';
    default:
      return kind;
  }
}

/** The variable statement (or the declaration itself) a reader recognises. */
function statementOf(declaration: ts.Node): ts.Node {
  let node = declaration;
  while (
    ts.isBindingElement(node) ||
    ts.isObjectBindingPattern(node) ||
    ts.isArrayBindingPattern(node) ||
    ts.isVariableDeclaration(node) ||
    ts.isVariableDeclarationList(node)
  ) {
    node = node.parent;
  }
  return ts.isVariableStatement(node) || ts.isForStatement(node) ? node : declaration;
}

function initializerOf(declaration: ts.Node, sourceFile: ts.SourceFile): string | null {
  let node: ts.Node = declaration;
  // A destructured name's value comes from the pattern's initializer, the whole right side.
  while (ts.isBindingElement(node) || ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node)) {
    node = node.parent;
  }
  if (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) {
    return node.initializer ? shorten(node.initializer.getText(sourceFile)) : null;
  }
  return null;
}
