import { ts } from '@selfreview/shared/compiler';
import type { FixItem } from '@selfreview/shared/schemas';
import { withoutBom } from '../lib/edits.ts';
import {
  type Codemod,
  type CodemodInput,
  type CodemodResult,
  itemEvidence,
  skipList,
  unparsable,
} from '../lib/fix.ts';
import { isNameReference } from '../lib/references.ts';
import {
  applyEdits,
  declarationText,
  detectStyle,
  type Edit,
  type Group,
  insertionFor,
  mergeEdits,
  mergeTarget,
  moduleSpecifierFor,
} from './import-text.ts';
import { CHANGE_TYPE, UndefinedIdentifierEvidence } from './schema.ts';

export { moduleSpecifierFor, type SpecifierStyle } from './import-text.ts';

export type AddMissingImportSkipReason =
  /** The item is not an undefined-identifier candidate for this file. */
  | 'unsupported_item'
  /** The caller did not say which module exports the name. */
  | 'exporter_unknown'
  /** An import declaration already binds the name: the file changed since scan. */
  | 'already_imported'
  /** The file itself declares the name at the top level; an import would clash with it. */
  | 'already_declared'
  /** The exporting module is this very file. */
  | 'self_import'
  /** Another item already imports the same name. */
  | 'duplicate'
  /** The name no longer occurs in the file as a reference. */
  | 'not_found'
  /** The input, or the text the edit would produce, has syntax errors. */
  | 'parse_error';

export interface Exporter {
  /** Repository-relative path of the one module exporting the name, e.g. `src/math.ts`. */
  module: string;
  /** An interface or type alias: imported with `import type`. */
  typeOnly: boolean;
  /** A default export: imported as `import name from`. */
  isDefault: boolean;
}

export type AddMissingImportInput = CodemodInput & { exporters: ReadonlyMap<string, Exporter> };

/**
 * The registry entry. Which module exports each name comes with the item: apply found the one
 * exporter (`importFrom`) when it judged the candidate. An item without it is skipped.
 */
export const addMissingImportCodemod: Codemod = {
  changeType: CHANGE_TYPE,
  description:
    'Import a name the compiler cannot resolve from the one module of the repository that exports it.',
  apply: (input) => addMissingImport({ ...input, exporters: exportersFromItems(input.items) }),
};

/** The exporters apply recorded on the items, by missing name. */
export function exportersFromItems(items: readonly FixItem[]): Map<string, Exporter> {
  const exporters = new Map<string, Exporter>();
  for (const item of items) {
    const e = UndefinedIdentifierEvidence.safeParse(item.candidate.evidence);
    if (e.success && item.importFrom) exporters.set(e.data.name, item.importFrom);
  }
  return exporters;
}

export function addMissingImport(input: AddMissingImportInput): CodemodResult {
  const applied: string[] = [];
  const { skipped, skip } = skipList<AddMissingImportSkipReason>();
  const { bom, text } = withoutBom(input.text);
  const sf = parse(input.file, text);
  if (parseErrors(sf)) return unparsable(input);

  const imported = importedNames(sf);
  const declared = topLevelDeclaredNames(sf);
  const referenced = referencedNames(sf);
  const groups = new Map<string, Group>();
  const claimed = new Set<string>();

  for (const item of input.items) {
    const id = item.candidate.id;
    const evidence = itemEvidence(UndefinedIdentifierEvidence, CHANGE_TYPE, item, input.file);
    if (!evidence) {
      skip(id, 'unsupported_item');
      continue;
    }
    const { name } = evidence;
    const exporter = input.exporters.get(name);
    if (!exporter) {
      skip(id, 'exporter_unknown');
      continue;
    }
    if (imported.has(name)) {
      skip(id, 'already_imported');
      continue;
    }
    if (claimed.has(name)) {
      skip(id, 'duplicate');
      continue;
    }
    if (!referenced.has(name)) {
      skip(id, 'not_found');
      continue;
    }
    if (declared.has(name)) {
      skip(id, 'already_declared');
      continue;
    }
    if (exporter.module === input.file) {
      skip(id, 'self_import');
      continue;
    }
    claimed.add(name);
    let group = groups.get(exporter.module);
    if (!group) {
      group = { module: exporter.module, entries: [] };
      groups.set(exporter.module, group);
    }
    group.entries.push({ name, typeOnly: exporter.typeOnly, isDefault: exporter.isDefault });
    applied.push(id);
  }

  if (groups.size === 0) return { text: input.text, linesAffected: [], applied, skipped };

  const style = detectStyle(sf);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineOf = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const lastLine = Math.max(1, lineOf(text.length) - (/\n$/.test(text) ? 1 : 0));
  const lines = new Set<number>();
  const edits: Edit[] = [];
  const newDeclarations: string[] = [];

  for (const group of groups.values()) {
    const target = mergeTarget(sf, input.file, group);
    if (target) {
      edits.push(...mergeEdits(text, sf, target, group.entries));
      for (let l = lineOf(target.getStart(sf)); l <= lineOf(target.getEnd()); l++) lines.add(l);
    } else {
      const specifier = moduleSpecifierFor(input.file, group.module, style.extension);
      newDeclarations.push(declarationText(specifier, group.entries, style));
    }
  }

  if (newDeclarations.length > 0) {
    const insertion = insertionFor(text, sf, newDeclarations, eol);
    edits.push(insertion.edit);
    lines.add(Math.min(lineOf(insertion.line), lastLine));
  }

  const output = applyEdits(text, edits);
  if (parseErrors(parse(input.file, output))) return unparsable(input);
  return {
    text: bom + output,
    linesAffected: [...lines].sort((a, b) => a - b),
    applied,
    skipped,
  };
}

function parse(file: string, text: string): ts.SourceFile {
  // The file name's extension decides the script kind (`.tsx` parses JSX).
  return ts.createSourceFile(`/${file}`, text, ts.ScriptTarget.Latest, true);
}

function parseErrors(sf: ts.SourceFile): boolean {
  const diagnostics =
    (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  return diagnostics.length > 0;
}

/** Every local name an import declaration binds. */
function importedNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const stmt of sf.statements) {
    if (ts.isImportEqualsDeclaration(stmt)) names.add(stmt.name.text);
    if (!ts.isImportDeclaration(stmt) || !stmt.importClause) continue;
    const clause = stmt.importClause;
    if (clause.name) names.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.add(el.name.text);
  }
  return names;
}

function topLevelDeclaredNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  for (const stmt of sf.statements) {
    if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) addBinding(d.name);
    } else if (
      ts.isFunctionDeclaration(stmt) ||
      ts.isClassDeclaration(stmt) ||
      ts.isInterfaceDeclaration(stmt) ||
      ts.isTypeAliasDeclaration(stmt) ||
      ts.isEnumDeclaration(stmt) ||
      ts.isModuleDeclaration(stmt)
    ) {
      if (stmt.name && ts.isIdentifier(stmt.name)) names.add(stmt.name.text);
    }
  }
  return names;
}

/** Names used outside import declarations, leaving out positions that merely spell a name (`o.x`, `{ x: 1 }`). */
function referencedNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node)) {
      if (isNameReference(node)) names.add(node.text);
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return names;
}
