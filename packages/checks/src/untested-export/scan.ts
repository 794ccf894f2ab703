import { ts } from '@selfreview/shared/compiler';
import type { ScanPart } from '../lib/define.ts';
import { hasModifier } from '../lib/names.ts';
import type { ScanFinding, ScanInput } from '../lib/scan.ts';
import type { UntestedExportEvidence, UntestedExportOptions } from './schema.ts';

type ExportKind = UntestedExportEvidence['exportKind'];

/** A top-level function or class of the file, with every name it is exported under. */
interface Exported {
  kind: 'function' | 'class';
  /** Where it is declared: several nodes for an overloaded function. */
  declarations: ts.Node[];
  /** Its name inside the file; undefined for `export default () => {}` and the like. */
  localName: string | undefined;
  /** In the order the file exports it; `default` for a default export. */
  exportedNames: string[];
  classNode: ts.ClassLikeDeclaration | undefined;
}

/**
 * Reports exported functions and classes, and the public methods of exported classes, whose
 * names no test file mentions. The match is by name only and loose on purpose: a test that
 * mentions `parse` anywhere, even on an unrelated object, counts as testing every `parse`.
 * What is left is a short list of things no test can possibly be exercising directly.
 *
 * A thing exported under another name (`export { parse as parseConfig }`) is tested when
 * either name appears. Ambient (`declare`) declarations, declaration files, abstract methods
 * and computed method names (`[Symbol.iterator]()`) have nothing to test by name and are
 * skipped, as are re-exports from other modules, which their own file answers for.
 */
export const scan: ScanPart<UntestedExportOptions, UntestedExportEvidence> = {
  semantic: false,
  analyze(input: ScanInput<UntestedExportOptions>): ScanFinding<UntestedExportEvidence>[] {
    const { sourceFile, tests } = input;
    if (input.isTestFile || tests === null || sourceFile.isDeclarationFile) return [];
    const referenced = tests.referencedNames;
    const findings: ScanFinding<UntestedExportEvidence>[] = [];
    for (const exported of collectExports(sourceFile)) {
      const name = exported.exportedNames.find((n) => n !== 'default') ?? exported.localName ?? 'default';
      const testedBy = [name, exported.localName, ...exported.exportedNames.filter((n) => n !== 'default')];
      if (!testedBy.some((n) => n !== undefined && referenced.has(n))) {
        findings.push(findingOf(input, exported.kind, name, exported.declarations));
      }
      if (exported.classNode === undefined) continue;
      for (const [method, declarations] of publicMethods(exported.classNode)) {
        if (referenced.has(method)) continue;
        findings.push(findingOf(input, 'method', `${name}.${method}`, declarations));
      }
    }
    return findings;
  },
};

function findingOf(
  { sourceFile, file, tests }: ScanInput<UntestedExportOptions>,
  exportKind: ExportKind,
  name: string,
  declarations: readonly ts.Node[],
): ScanFinding<UntestedExportEvidence> {
  const first = declarations[0]!;
  const last = declarations[declarations.length - 1]!;
  const testFiles = tests?.testFiles ?? 0;
  const evidence: UntestedExportEvidence = { kind: 'untested-export', name, exportKind, testFiles };
  const noTests = testFiles === 0 ? ' (the repository has no test files)' : '';
  return {
    rule: 'untested-export',
    file,
    line: sourceFile.getLineAndCharacterOfPosition(first.getStart(sourceFile)).line + 1,
    endLine: sourceFile.getLineAndCharacterOfPosition(last.getEnd()).line + 1,
    message: `exported ${exportKind} '${name}' is not referred to by any test file${noTests}`,
    evidence,
    fingerprint: `${exportKind}:${name}`,
  };
}

/** The file's exported functions and classes, in the order they are declared. */
function collectExports(sourceFile: ts.SourceFile): Exported[] {
  const byLocalName = new Map<string, Exported>();
  const declared: Exported[] = [];
  // `export { f }` and `export default f` may come before f's declaration.
  const exportedLater: { local: string; exported: string }[] = [];

  const declare = (
    localName: string | undefined,
    kind: Exported['kind'],
    node: ts.Node,
    classNode?: ts.ClassLikeDeclaration,
  ): Exported => {
    const overloaded = localName === undefined ? undefined : byLocalName.get(localName);
    if (overloaded !== undefined) {
      overloaded.declarations.push(node);
      return overloaded;
    }
    const entry: Exported = { kind, declarations: [node], localName, exportedNames: [], classNode };
    if (localName !== undefined) byLocalName.set(localName, entry);
    declared.push(entry);
    return entry;
  };
  const exportAs = (entry: Exported, name: string): void => {
    if (!entry.exportedNames.includes(name)) entry.exportedNames.push(name);
  };

  for (const statement of sourceFile.statements) {
    if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) continue;
    const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      const kind = ts.isClassDeclaration(statement) ? 'class' : 'function';
      const classNode = ts.isClassDeclaration(statement) ? statement : undefined;
      const entry = declare(statement.name?.text, kind, statement, classNode);
      if (isExported) exportAs(entry, isDefault ? 'default' : (statement.name?.text ?? 'default'));
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || declaration.initializer === undefined) continue;
        const value = unwrap(declaration.initializer);
        const kind = kindOfValue(value);
        if (kind === undefined) continue;
        const classNode = ts.isClassExpression(value) ? value : undefined;
        const entry = declare(declaration.name.text, kind, declaration, classNode);
        if (isExported) exportAs(entry, declaration.name.text);
      }
    } else if (ts.isExportAssignment(statement)) {
      const value = unwrap(statement.expression);
      const kind = kindOfValue(value);
      if (ts.isIdentifier(value)) {
        exportedLater.push({ local: value.text, exported: 'default' });
      } else if (kind !== undefined) {
        const classNode = ts.isClassExpression(value) ? value : undefined;
        exportAs(declare(undefined, kind, statement, classNode), 'default');
      }
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier === undefined &&
      !statement.isTypeOnly &&
      statement.exportClause !== undefined &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) {
        if (element.isTypeOnly) continue;
        const local = element.propertyName ?? element.name;
        exportedLater.push({ local: local.text, exported: element.name.text });
      }
    }
  }
  for (const { local, exported } of exportedLater) {
    const entry = byLocalName.get(local);
    if (entry !== undefined) exportAs(entry, exported);
  }
  return declared.filter((entry) => entry.exportedNames.length > 0);
}

function kindOfValue(value: ts.Expression): Exported['kind'] | undefined {
  if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return 'function';
  if (ts.isClassExpression(value)) return 'class';
  return undefined;
}

/** `(x)`, `x as T`, `x satisfies T`, `<T>x` and `x!` are all `x` for naming. */
function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    ts.isNonNullExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/**
 * The class's public methods by name, in declaration order; the overloads (and a static
 * and an instance method) of one name are one entry, since one name tests them all.
 */
function publicMethods(classNode: ts.ClassLikeDeclaration): Map<string, ts.MethodDeclaration[]> {
  const methods = new Map<string, ts.MethodDeclaration[]>();
  for (const member of classNode.members) {
    if (!ts.isMethodDeclaration(member)) continue;
    if (
      hasModifier(member, ts.SyntaxKind.PrivateKeyword) ||
      hasModifier(member, ts.SyntaxKind.ProtectedKeyword) ||
      hasModifier(member, ts.SyntaxKind.AbstractKeyword)
    ) {
      continue;
    }
    const { name } = member;
    if (ts.isPrivateIdentifier(name) || ts.isComputedPropertyName(name)) continue;
    const existing = methods.get(name.text);
    if (existing === undefined) methods.set(name.text, [member]);
    else existing.push(member);
  }
  return methods;
}
