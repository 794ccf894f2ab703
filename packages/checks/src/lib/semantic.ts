/**
 * Turning compiler diagnostics into syntax: the compiler says *that* a name is unused or
 * unresolved and where; the syntax tree says what kind of declaration it is, which is what
 * decides the kind of binding (import, local, parameter), so which check reports it, and the
 * evidence apply needs.
 *
 * Every unused-diagnostic lands in exactly one of the three kinds, each the subject of one
 * check, so scan's unused findings are a superset of the compiler's by construction (tested
 * against the native compiler in tests/scan-recall.test.ts).
 */
import { ts } from '@selfreview/shared/compiler';
import type { SemanticDiagnostic } from './scan.ts';

/**
 * 6133 declared but its value is never read; 6138 property declared but never read;
 * 6192 all imports in a declaration unused; 6196 declared but never used (types);
 * 6198 all destructured elements unused; 6199 all variables unused; 6205 all type
 * parameters unused.
 */
export const UNUSED_CODES: ReadonlySet<number> = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205]);

/**
 * "Cannot find name" and its variants: 2304 plain; 2552 with a suggestion; 2503 namespace;
 * 2580-2593 "do you need to install type definitions / change your lib"; 2662/2663 a
 * missing `this.` or class qualifier; 18004 a shorthand property with no value in scope.
 */
export const UNDEFINED_CODES: ReadonlySet<number> = new Set([
  2304, 2503, 2552, 2580, 2581, 2582, 2583, 2584, 2585, 2591, 2592, 2593, 2662, 2663, 18004,
]);

/** An unused name by where it is declared: an import binding, a (type) parameter, or any other local. */
export type UnusedBinding =
  | {
      kind: 'import';
      name: Identifierish;
      declaration: ts.ImportDeclaration | ts.ImportEqualsDeclaration;
    }
  | { kind: 'parameter'; name: Identifierish; declaration: ts.Node; typeParameter: boolean }
  | { kind: 'local'; name: Identifierish; declaration: ts.Node };

/** The node that names the unused thing: an identifier, or a private `#name`. */
export type Identifierish = ts.Identifier | ts.PrivateIdentifier;

/** Position of a 1-based line/column in the file, clamped to the line. */
export function positionOf(sourceFile: ts.SourceFile, line: number, column: number): number {
  const starts = sourceFile.getLineStarts();
  const lineIndex = Math.min(Math.max(line - 1, 0), starts.length - 1);
  const lineStart = starts[lineIndex] ?? 0;
  const lineEnd = starts[lineIndex + 1] ?? sourceFile.text.length;
  return Math.min(lineStart + Math.max(column - 1, 0), lineEnd);
}

/** The innermost node whose own text (without leading trivia) contains `pos`. */
export function nodeAt(sourceFile: ts.SourceFile, pos: number): ts.Node {
  let current: ts.Node = sourceFile;
  for (;;) {
    let next: ts.Node | undefined;
    ts.forEachChild(current, (child) => {
      if (next === undefined && child.getStart(sourceFile) <= pos && pos < child.getEnd()) next = child;
    });
    if (next === undefined) return current;
    current = next;
  }
}

/**
 * The unused bindings one diagnostic speaks of. One name for 6133/6138/6196; every binding
 * of the declaration for the "all ... are unused" forms. Empty when the position does not
 * lead to a declaration (a compiler change we do not know); the caller reports those raw.
 */
export function unusedBindingsOf(sourceFile: ts.SourceFile, diagnostic: SemanticDiagnostic): UnusedBinding[] {
  const at = nodeAt(sourceFile, positionOf(sourceFile, diagnostic.line, diagnostic.column));
  switch (diagnostic.code) {
    case 6192: {
      const declaration = findAncestor(at, ts.isImportDeclaration);
      return declaration
        ? importBindings(declaration)
            .map((name) => classifyName(name))
            .filter(isDefined)
        : [];
    }
    case 6198: {
      const pattern =
        findAncestor(at, ts.isObjectBindingPattern) ?? findAncestor(at, ts.isArrayBindingPattern);
      return pattern
        ? bindingNames(pattern)
            .map((name) => classifyName(name))
            .filter(isDefined)
        : [];
    }
    case 6199: {
      const list = findAncestor(at, ts.isVariableDeclarationList);
      return list
        ? list.declarations
            .flatMap((d) => bindingNames(d.name))
            .map((name) => classifyName(name))
            .filter(isDefined)
        : [];
    }
    case 6205: {
      const owner = findAncestor(at, hasTypeParameters);
      return (owner?.typeParameters ?? []).map((p) => classifyName(p.name)).filter(isDefined);
    }
    default: {
      // Usually the position is the name itself. When the whole declaration is unused
      // (`import { x } from 'm'` with one binding) it is the declaration's start, and the
      // message's quoted name tells which of its names is meant.
      const name =
        ts.isIdentifier(at) || ts.isPrivateIdentifier(at)
          ? at
          : (nameOfDeclaration(at) ?? declaredNameWithin(at, quotedName(diagnostic.message)));
      const binding = name ? classifyName(name) : undefined;
      return binding ? [binding] : [];
    }
  }
}

/** An unused binding of one kind, with the code of the diagnostic that named it first. */
export type UnusedEntry<K extends UnusedBinding['kind']> =
  | { binding: Extract<UnusedBinding, { kind: K }>; code: number }
  /** A diagnostic whose position leads to no declaration we know (a compiler change). */
  | { unplaced: SemanticDiagnostic };

/**
 * The compiler's unused diagnostics of a file as the bindings of one kind, each once, in the
 * order the diagnostics come; and, where one leads to no declaration at all, that diagnostic.
 */
export function unusedOfKind<K extends UnusedBinding['kind']>(
  sourceFile: ts.SourceFile,
  diagnostics: readonly SemanticDiagnostic[],
  kind: K,
): UnusedEntry<K>[] {
  const entries: UnusedEntry<K>[] = [];
  const seen = new Set<ts.Node>();
  for (const diagnostic of diagnostics) {
    if (!UNUSED_CODES.has(diagnostic.code)) continue;
    const bindings = unusedBindingsOf(sourceFile, diagnostic);
    if (bindings.length === 0) entries.push({ unplaced: diagnostic });
    for (const binding of bindings) {
      if (binding.kind !== kind || seen.has(binding.name)) continue;
      seen.add(binding.name);
      entries.push({ binding: binding as Extract<UnusedBinding, { kind: K }>, code: diagnostic.code });
    }
  }
  return entries;
}

/** The bindings of `unusedOfKind`, without the diagnostics that lead to none. */
export function unusedBindingsOfKind<K extends UnusedBinding['kind']>(
  sourceFile: ts.SourceFile,
  diagnostics: readonly SemanticDiagnostic[],
  kind: K,
): { binding: Extract<UnusedBinding, { kind: K }>; code: number }[] {
  return unusedOfKind(sourceFile, diagnostics, kind).flatMap((e) => ('binding' in e ? [e] : []));
}

/** What kind of binding a declared name is, by where it is declared. */
export function classifyName(name: Identifierish): UnusedBinding | undefined {
  const importDeclaration = findAncestor(
    name,
    (n) => ts.isImportDeclaration(n) || ts.isImportEqualsDeclaration(n),
  );
  if (importDeclaration) {
    return {
      kind: 'import',
      name,
      declaration: importDeclaration as ts.ImportDeclaration | ts.ImportEqualsDeclaration,
    };
  }
  const declaration = name.parent;
  if (ts.isTypeParameterDeclaration(declaration)) {
    return { kind: 'parameter', name, declaration, typeParameter: true };
  }
  // A parameter property (`constructor(private x)`) is a member, not a parameter: the
  // compiler reports it as an unread property.
  if (ts.isParameter(declaration) && !ts.isParameterPropertyDeclaration(declaration, declaration.parent)) {
    return { kind: 'parameter', name, declaration, typeParameter: false };
  }
  if (ts.isBindingElement(declaration)) {
    const root = bindingRoot(declaration);
    if (ts.isParameter(root)) return { kind: 'parameter', name, declaration, typeParameter: false };
  }
  return { kind: 'local', name, declaration };
}

function importBindings(declaration: ts.ImportDeclaration): Identifierish[] {
  const clause = declaration.importClause;
  if (!clause) return [];
  const names: Identifierish[] = [];
  if (clause.name) names.push(clause.name);
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name);
  if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.push(e.name);
  return names;
}

/** Every identifier a binding name or pattern declares, in source order. */
export function bindingNames(name: ts.BindingName): ts.Identifier[] {
  if (ts.isIdentifier(name)) return [name];
  const out: ts.Identifier[] = [];
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) continue;
    out.push(...bindingNames(element.name));
  }
  return out;
}

/** The parameter or variable declaration a (possibly nested) binding element belongs to. */
export function bindingRoot(element: ts.BindingElement): ts.Node {
  let node: ts.Node = element;
  while (ts.isBindingElement(node) || ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node)) {
    node = node.parent;
  }
  return node;
}

function nameOfDeclaration(node: ts.Node): Identifierish | undefined {
  const name = (node as { name?: ts.Node }).name;
  if (name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name))) return name;
  return undefined;
}

/** The first quoted name of a compiler message: `'x' is declared but ...` gives `x`. */
export function quotedName(message: string): string | undefined {
  return /'([^']+)'/.exec(message)?.[1];
}

/** The identifier inside `node` that declares `name` (not one that merely uses it). */
function declaredNameWithin(node: ts.Node, name: string | undefined): Identifierish | undefined {
  if (name === undefined) return undefined;
  let found: Identifierish | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) &&
      n.text === name &&
      nameOfDeclaration(n.parent) === n
    ) {
      found = n;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function hasTypeParameters(
  node: ts.Node,
): node is ts.Node & { typeParameters: ts.NodeArray<ts.TypeParameterDeclaration> } {
  return (node as { typeParameters?: unknown }).typeParameters !== undefined;
}

export function findAncestor<T extends ts.Node>(node: ts.Node, test: (n: ts.Node) => n is T): T | undefined;
export function findAncestor(node: ts.Node, test: (n: ts.Node) => boolean): ts.Node | undefined;
export function findAncestor(node: ts.Node, test: (n: ts.Node) => boolean): ts.Node | undefined {
  let current: ts.Node | undefined = node;
  while (current) {
    if (test(current)) return current;
    current = current.parent;
  }
  return undefined;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** Dotted path of the functions, classes and namespaces around a node, e.g. `Parser.parse`. */
export function scopePath(node: ts.Node): string {
  const parts: string[] = [];
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    const name = scopeName(n);
    if (name !== undefined) parts.unshift(name);
  }
  return parts.join('.');
}

/** The name a function-like, class or namespace goes by, or undefined for other nodes. */
export function scopeName(node: ts.Node): string | undefined {
  if (ts.isClassLike(node) || ts.isModuleDeclaration(node))
    return node.name ? node.name.getText() : '<anonymous>';
  if (!ts.isFunctionLike(node) || ts.isFunctionTypeNode(node) || ts.isCallSignatureDeclaration(node))
    return undefined;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const own = (node as { name?: ts.Node }).name;
  if (own) return own.getText();
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText();
  }
  return '<anonymous>';
}

/** The name of a parameter list's owner as findings name it: an interface or type alias by its name, else `scopeName`. */
export function ownerName(owner: ts.Node): string | undefined {
  if (ts.isInterfaceDeclaration(owner) || ts.isTypeAliasDeclaration(owner)) return owner.name.text;
  return scopeName(owner);
}

/** Text shortened to one line of at most `max` characters, for evidence a person reads. */
export function shorten(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
