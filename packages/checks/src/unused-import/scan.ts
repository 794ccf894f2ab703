import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import type { ScanFinding, ScanInput } from '../lib/scan.ts';
import { unusedBindingsOfKind } from '../lib/semantic.ts';
import type { UnusedImportEvidence } from './schema.ts';

interface ImportBinding {
  name: string;
  /** The identifier that declares the binding, to match the compiler's findings. */
  nameNode: ts.Identifier;
  importedName: string;
  form: UnusedImportEvidence['form'];
  moduleSpecifier: string;
  typeOnly: boolean;
  declaration: ts.ImportDeclaration | ts.ImportEqualsDeclaration;
}

/**
 * Reports import bindings that are never used.
 *
 * With the compiler's diagnostics (the file is in a checked program) the compiler decides:
 * every 6133/6192/6196 that lands on an import binding is a finding. Without them (a file
 * outside every tsconfig) the check is by name: any identifier with the binding's text in a
 * reference position counts as a use, even when a local declaration shadows the import.
 * That errs towards silence, the safe side for findings that may end in a removal.
 */
export const scan: ScanPart<object, UnusedImportEvidence> = {
  semantic: true,
  analyze(input: ScanInput): ScanFinding<UnusedImportEvidence>[] {
    const { sourceFile } = input;
    const bindings = collectBindings(sourceFile);
    if (bindings.length === 0) return [];
    let unused: ImportBinding[];
    if (input.semantic === null) {
      const referenced = collectReferencedNames(sourceFile);
      unused = bindings.filter((b) => !referenced.has(b.name));
    } else {
      const unusedNames = new Set<ts.Node>(
        unusedBindingsOfKind(sourceFile, input.semantic, 'import').map((e) => e.binding.name),
      );
      unused = bindings.filter((b) => unusedNames.has(b.nameNode));
    }
    return unused.map((binding) => findingOf(input, binding));
  },
};

function findingOf(
  { sourceFile, file }: ScanInput,
  binding: ImportBinding,
): ScanFinding<UnusedImportEvidence> {
  const start = binding.declaration.getStart(sourceFile);
  const end = binding.declaration.getEnd();
  const evidence: UnusedImportEvidence = {
    kind: 'unused-import',
    name: binding.name,
    importedName: binding.importedName,
    form: binding.form,
    moduleSpecifier: binding.moduleSpecifier,
    typeOnly: binding.typeOnly,
    statement: binding.declaration.getText(sourceFile),
  };
  return {
    rule: 'unused-import',
    file,
    line: sourceFile.getLineAndCharacterOfPosition(start).line + 1,
    endLine: sourceFile.getLineAndCharacterOfPosition(end).line + 1,
    message: `'${binding.name}' is imported from '${binding.moduleSpecifier}' but never used`,
    evidence,
    fingerprint: `${binding.moduleSpecifier}\u0000${binding.name}`,
  };
}

function collectBindings(sourceFile: ts.SourceFile): ImportBinding[] {
  const bindings: ImportBinding[] = [];
  // Imports only live at the top level or in ambient module/namespace bodies.
  const visitStatements = (statements: ts.NodeArray<ts.Statement>): void => {
    for (const statement of statements) {
      if (ts.isImportDeclaration(statement)) {
        bindings.push(...bindingsOfImportDeclaration(statement));
      } else if (ts.isImportEqualsDeclaration(statement)) {
        const binding = bindingOfImportEquals(statement);
        if (binding) bindings.push(binding);
      } else if (ts.isModuleDeclaration(statement)) {
        let body = statement.body;
        while (body && ts.isModuleDeclaration(body)) body = body.body;
        if (body && ts.isModuleBlock(body)) visitStatements(body.statements);
      }
    }
  };
  visitStatements(sourceFile.statements);
  return bindings;
}

function bindingsOfImportDeclaration(declaration: ts.ImportDeclaration): ImportBinding[] {
  const clause = declaration.importClause;
  // `import './x'` runs the module for its effects: there is nothing to be unused.
  if (!clause) return [];
  const moduleSpecifier = ts.isStringLiteralLike(declaration.moduleSpecifier)
    ? declaration.moduleSpecifier.text
    : declaration.moduleSpecifier.getText();
  const clauseTypeOnly = clause.phaseModifier === ts.SyntaxKind.TypeKeyword;
  const bindings: ImportBinding[] = [];
  if (clause.name) {
    bindings.push({
      name: clause.name.text,
      nameNode: clause.name,
      importedName: 'default',
      form: 'default',
      moduleSpecifier,
      typeOnly: clauseTypeOnly,
      declaration,
    });
  }
  const named = clause.namedBindings;
  if (named && ts.isNamespaceImport(named)) {
    bindings.push({
      name: named.name.text,
      nameNode: named.name,
      importedName: '*',
      form: 'namespace',
      moduleSpecifier,
      typeOnly: clauseTypeOnly,
      declaration,
    });
  } else if (named) {
    for (const specifier of named.elements) {
      bindings.push({
        name: specifier.name.text,
        nameNode: specifier.name,
        importedName: (specifier.propertyName ?? specifier.name).text,
        form: 'named',
        moduleSpecifier,
        typeOnly: clauseTypeOnly || specifier.isTypeOnly,
        declaration,
      });
    }
  }
  return bindings;
}

function bindingOfImportEquals(declaration: ts.ImportEqualsDeclaration): ImportBinding | undefined {
  // `export import x = require('m')` is part of the module's interface, used or not.
  if (declaration.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  const reference = declaration.moduleReference;
  // `import A = B.C` aliases a namespace of this program; its "module" is the entity name.
  const moduleSpecifier = !ts.isExternalModuleReference(reference)
    ? reference.getText()
    : ts.isStringLiteralLike(reference.expression)
      ? reference.expression.text
      : reference.expression.getText();
  return {
    name: declaration.name.text,
    nameNode: declaration.name,
    importedName: 'default',
    form: 'import-equals',
    moduleSpecifier,
    typeOnly: declaration.isTypeOnly,
    declaration,
  };
}

/** Every identifier text that occurs in a position where it can resolve to an import. */
function collectReferencedNames(sourceFile: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  let hasJsx = false;
  let hasFragment = false;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    // Re-exports name the other module's exports, not local bindings.
    if (ts.isExportDeclaration(node) && node.moduleSpecifier) return;
    // In `import('m').X.Y` the qualifier names the other module's exports; only the
    // type arguments can mention local names.
    if (ts.isImportTypeNode(node)) {
      node.typeArguments?.forEach(visit);
      return;
    }
    if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node)) hasJsx = true;
    if (ts.isJsxFragment(node)) {
      hasJsx = true;
      hasFragment = true;
    }
    if (ts.isIdentifier(node)) {
      if (isReferencePosition(node)) names.add(node.text);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  if (hasJsx) {
    // The classic JSX runtime compiles `<Foo/>` to `React.createElement(Foo)` (or the
    // pragma's factory), so the factory's root is used although no identifier names
    // it. Under the automatic runtime it would not be, but the compiler options that
    // decide this are not visible from one file: assuming classic never reports a
    // needed import.
    const pragmas = jsxPragmaRoots(sourceFile);
    names.add(pragmas.jsx ?? 'React');
    if (hasFragment && pragmas.jsxFrag) names.add(pragmas.jsxFrag);
  }
  return names;
}

function isReferencePosition(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return true;
  switch (parent.kind) {
    case ts.SyntaxKind.PropertyAccessExpression:
      return (parent as ts.PropertyAccessExpression).name !== node;
    case ts.SyntaxKind.QualifiedName:
      return (parent as ts.QualifiedName).right !== node;
    case ts.SyntaxKind.PropertyDeclaration:
    case ts.SyntaxKind.PropertySignature:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.MethodSignature:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
    case ts.SyntaxKind.PropertyAssignment:
    case ts.SyntaxKind.EnumMember:
    case ts.SyntaxKind.VariableDeclaration:
    case ts.SyntaxKind.Parameter:
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassDeclaration:
    case ts.SyntaxKind.ClassExpression:
    case ts.SyntaxKind.InterfaceDeclaration:
    case ts.SyntaxKind.TypeAliasDeclaration:
    case ts.SyntaxKind.EnumDeclaration:
    case ts.SyntaxKind.ModuleDeclaration:
    case ts.SyntaxKind.TypeParameter:
    case ts.SyntaxKind.NamedTupleMember:
    case ts.SyntaxKind.ImportEqualsDeclaration:
    case ts.SyntaxKind.NamespaceExportDeclaration:
    case ts.SyntaxKind.MetaProperty:
      // Only the declared name is excluded; other children (initializers, types,
      // computed keys) are separate nodes and reach here with another parent.
      return (parent as ts.NamedDeclaration).name !== node;
    case ts.SyntaxKind.BindingElement: {
      const element = parent as ts.BindingElement;
      // `{X: y}` reads property X of the value and declares y; `{X}` declares X.
      return element.propertyName !== node && element.name !== node;
    }
    case ts.SyntaxKind.ExportSpecifier: {
      const specifier = parent as ts.ExportSpecifier;
      // `export { X as Y }` reads the local X; Y is the name seen from outside.
      return specifier.propertyName ? specifier.propertyName === node : true;
    }
    case ts.SyntaxKind.JsxAttribute:
    case ts.SyntaxKind.JsxNamespacedName:
      return false;
    case ts.SyntaxKind.JsxOpeningElement:
    case ts.SyntaxKind.JsxSelfClosingElement:
    case ts.SyntaxKind.JsxClosingElement:
      // `<div>` is an intrinsic element, looked up in JSX.IntrinsicElements, not in scope.
      return !isIntrinsicTagName(node.text);
    case ts.SyntaxKind.LabeledStatement:
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement:
      return false;
    case ts.SyntaxKind.TypePredicate:
      return (parent as ts.TypePredicateNode).parameterName !== node;
    default:
      return true;
  }
}

/** The compiler's own test (isIntrinsicJsxName): a lowercase ASCII start or a dash. */
function isIntrinsicTagName(name: string): boolean {
  return /^[a-z]/.test(name) || name.includes('-');
}

/**
 * The compiler only honours `@jsx`/`@jsxFrag` pragmas in the comments at the very
 * start of the file, so those are the only ones read.
 */
function jsxPragmaRoots(sourceFile: ts.SourceFile): { jsx?: string; jsxFrag?: string } {
  const text = sourceFile.text;
  const result: { jsx?: string; jsxFrag?: string } = {};
  for (const range of ts.getLeadingCommentRanges(text, 0) ?? []) {
    const comment = text.slice(range.pos, range.end);
    const jsx = /@jsx\s+([A-Za-z_$][\w$]*)/.exec(comment);
    if (jsx?.[1] && result.jsx === undefined) result.jsx = jsx[1];
    const frag = /@jsxFrag\s+([A-Za-z_$][\w$]*)/.exec(comment);
    if (frag?.[1] && result.jsxFrag === undefined) result.jsxFrag = frag[1];
  }
  return result;
}
