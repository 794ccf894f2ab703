import { posix } from 'node:path';
import type { FixItem, UndefinedIdentifierEvidence } from '@selfreview/shared/schemas';
import { ts } from 'ts-morph';
import { afterSameLineComments, nextLineStart } from '../edits.ts';
import { isNameReference } from '../references.ts';
import type { Codemod, CodemodInput, CodemodResult, CodemodSkip } from '../types.ts';

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

export type SpecifierStyle = 'extensionless' | 'js' | 'ts';

/**
 * The registry entry. Which module exports each name comes with the item: apply found the one
 * exporter (`importFrom`) when it judged the candidate. An item without it is skipped.
 */
export const addMissingImportCodemod: Codemod = {
  changeType: 'add_missing_import',
  description:
    'Import a name the compiler cannot resolve from the one module of the repository that exports it.',
  apply: (input) => addMissingImport({ ...input, exporters: exportersFromItems(input.items) }),
};

/** The exporters apply recorded on the items, by missing name. */
export function exportersFromItems(items: readonly FixItem[]): Map<string, Exporter> {
  const exporters = new Map<string, Exporter>();
  for (const item of items) {
    const e = item.candidate.evidence;
    if (e.kind === 'undefined-identifier' && item.importFrom) exporters.set(e.name, item.importFrom);
  }
  return exporters;
}

interface Entry {
  name: string;
  typeOnly: boolean;
  isDefault: boolean;
}

interface Group {
  module: string;
  entries: Entry[];
}

interface Edit {
  pos: number;
  text: string;
}

const BOM = '\uFEFF';

export function addMissingImport(input: AddMissingImportInput): CodemodResult {
  const applied: string[] = [];
  const skipped: CodemodSkip[] = [];
  const skip = (candidateId: string, reason: AddMissingImportSkipReason): void => {
    skipped.push({ candidateId, reason });
  };
  const unchanged = (): CodemodResult => ({
    text: input.text,
    linesAffected: [],
    applied: [],
    skipped: input.items.map((i) => ({ candidateId: i.candidate.id, reason: 'parse_error' })),
  });

  const bom = input.text.startsWith(BOM) ? BOM : '';
  const text = input.text.slice(bom.length);
  const sf = parse(input.file, text);
  if (parseErrors(sf)) return unchanged();

  const imported = importedNames(sf);
  const declared = topLevelDeclaredNames(sf);
  const referenced = referencedNames(sf);
  const groups = new Map<string, Group>();
  const claimed = new Set<string>();

  for (const item of input.items) {
    const id = item.candidate.id;
    const evidence = undefinedIdentifierEvidence(item, input.file);
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
  if (parseErrors(parse(input.file, output))) return unchanged();
  return {
    text: bom + output,
    linesAffected: [...lines].sort((a, b) => a - b),
    applied,
    skipped,
  };
}

/**
 * The relative specifier from one repository file to another, in the file's style:
 * `./math` / `./math.js` / `./math.ts`; a directory's `index` file is `./dir` when extensionless.
 */
export function moduleSpecifierFor(fromFile: string, toFile: string, style: SpecifierStyle): string {
  const rel = posix.relative(posix.dirname(fromFile), toFile);
  const path = rel.startsWith('../') ? rel : `./${rel}`;
  const declaration = /\.d\.([cm]?)ts$/.exec(path);
  if (declaration) {
    // A declaration file is imported by the name of the JavaScript it describes.
    const stem = path.slice(0, -declaration[0].length);
    return style === 'extensionless' ? dropIndex(stem) : `${stem}.${declaration[1]}js`;
  }
  const source = /\.([cm]?)(ts|tsx|js|jsx)$/.exec(path);
  if (!source) return path;
  const stem = path.slice(0, -source[0].length);
  if (style === 'extensionless') return dropIndex(stem);
  const isTs = source[2] === 'ts' || source[2] === 'tsx';
  if (style === 'js' && isTs) return `${stem}.${source[1]}js`;
  return path;
}

function dropIndex(stem: string): string {
  if (stem === './index') return '.';
  if (stem.endsWith('/index')) return stem.slice(0, -'/index'.length);
  return stem;
}

function undefinedIdentifierEvidence(item: FixItem, file: string): UndefinedIdentifierEvidence | undefined {
  const { evidence } = item.candidate;
  if (item.changeType !== 'add_missing_import' || evidence.kind !== 'undefined-identifier') return undefined;
  if (item.candidate.file !== file) return undefined;
  return evidence;
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

function importDeclarations(sf: ts.SourceFile): ts.ImportDeclaration[] {
  return sf.statements.filter(ts.isImportDeclaration);
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

interface Style {
  quote: "'" | '"';
  semicolon: boolean;
  extension: SpecifierStyle;
}

function detectStyle(sf: ts.SourceFile): Style {
  const specifiers: ts.StringLiteral[] = [];
  for (const stmt of sf.statements) {
    if (
      (ts.isImportDeclaration(stmt) || ts.isExportDeclaration(stmt)) &&
      stmt.moduleSpecifier &&
      ts.isStringLiteral(stmt.moduleSpecifier)
    ) {
      specifiers.push(stmt.moduleSpecifier);
    }
  }
  const firstString = specifiers[0] ?? firstStringLiteral(sf);
  const quote = firstString && sf.text[firstString.getStart(sf)] === '"' ? '"' : "'";

  const firstImport = importDeclarations(sf)[0];
  const terminated = firstImport ?? sf.statements.find(endsWithSemicolonWhenTerminated);
  const semicolon = terminated ? terminated.getText(sf).endsWith(';') : true;

  const relative = specifiers.map((s) => s.text).filter((s) => s.startsWith('./') || s.startsWith('../'));
  const extension: SpecifierStyle = relative.some((s) => /\.(?:[cm]?js|jsx)$/.test(s))
    ? 'js'
    : relative.some((s) => /\.(?:[cm]?ts|tsx)$/.test(s) && !/\.d\.[cm]?ts$/.test(s))
      ? 'ts'
      : 'extensionless';
  return { quote, semicolon, extension };
}

function endsWithSemicolonWhenTerminated(stmt: ts.Statement): boolean {
  return (
    ts.isVariableStatement(stmt) ||
    ts.isExpressionStatement(stmt) ||
    ts.isExportDeclaration(stmt) ||
    ts.isExportAssignment(stmt) ||
    ts.isTypeAliasDeclaration(stmt) ||
    ts.isImportEqualsDeclaration(stmt)
  );
}

function firstStringLiteral(sf: ts.SourceFile): ts.StringLiteral | undefined {
  let found: ts.StringLiteral | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    // A JSX attribute's quotes follow JSX conventions, not the file's.
    if (ts.isStringLiteral(node) && !ts.isJsxAttribute(node.parent)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return found;
}

/** The repository files a relative specifier may name, the way bundlers and Node's ESM-with-TS resolve it. */
function targetsOf(file: string, specifier: string): string[] {
  if (!specifier.startsWith('./') && !specifier.startsWith('../') && specifier !== '.' && specifier !== '..')
    return [];
  const base = posix.normalize(posix.join(posix.dirname(file), specifier));
  const stem = base.replace(/\.(?:[cm]?js|jsx)$/, '');
  const mapped = /\.([cm])js$/.exec(base);
  return [
    base,
    ...(mapped ? [`${stem}.${mapped[1]}ts`, `${stem}.d.${mapped[1]}ts`] : []),
    ...['.ts', '.tsx', '.d.ts'].map((ext) => `${stem}${ext}`),
    `${stem}/index.ts`,
    `${stem}/index.tsx`,
    `${stem}/index.d.ts`,
  ];
}

/**
 * An existing declaration of the same module the names can join: named bindings (or a lone
 * default import) that are not `import type`, or, when every name is a type, `import type { }`.
 */
function mergeTarget(sf: ts.SourceFile, file: string, group: Group): ts.ImportDeclaration | undefined {
  const allTypes = group.entries.every((e) => e.typeOnly);
  const candidates = importDeclarations(sf).filter((decl) => {
    if (!ts.isStringLiteral(decl.moduleSpecifier)) return false;
    if (!targetsOf(file, decl.moduleSpecifier.text).includes(group.module)) return false;
    const clause = decl.importClause;
    if (!clause) return false;
    const bindings = clause.namedBindings;
    if (bindings && !ts.isNamedImports(bindings)) return false;
    if (clause.isTypeOnly) return allTypes && bindings !== undefined;
    return true;
  });
  if (allTypes) return candidates.find((d) => d.importClause?.isTypeOnly) ?? candidates[0];
  return candidates[0];
}

function mergeEdits(text: string, sf: ts.SourceFile, decl: ts.ImportDeclaration, entries: Entry[]): Edit[] {
  const clause = decl.importClause!;
  const edits: Edit[] = [];
  let rest = entries;
  const defaultEntry = entries.find((e) => e.isDefault && !e.typeOnly);
  if (defaultEntry && !clause.isTypeOnly && !clause.name) {
    // `import { a } from` -> `import D, { a } from`
    edits.push({ pos: clause.getStart(sf), text: `${defaultEntry.name}, ` });
    rest = entries.filter((e) => e !== defaultEntry);
  }
  if (rest.length === 0) return edits;
  const elements = rest.map((e) => elementText(e, !clause.isTypeOnly));
  const bindings = clause.namedBindings;
  if (!bindings || !ts.isNamedImports(bindings)) {
    // `import D from` -> `import D, { a } from`
    edits.push({ pos: clause.name!.getEnd(), text: `, { ${elements.join(', ')} }` });
    return edits;
  }
  const list = bindings.elements;
  const last = list.at(-1);
  if (!last) {
    // `{}` -> `{ a }`, `{ }` -> `{ a }`
    const inner = text.slice(bindings.getStart(sf) + 1, bindings.getEnd() - 1);
    const joined = elements.join(', ');
    edits.push({ pos: bindings.getStart(sf) + 1, text: inner === '' ? ` ${joined} ` : ` ${joined}` });
    return edits;
  }
  const openBrace = bindings.getStart(sf);
  const multiline = text.slice(openBrace, list[0]!.getStart(sf)).includes('\n');
  const trailingComma = list.hasTrailingComma;
  if (!multiline) {
    const separator = list.length >= 2 ? text.slice(list[0]!.getEnd() + 1, list[1]!.getStart(sf)) || '' : ' ';
    if (trailingComma) {
      // `{ a, b, }` -> `{ a, b, c, }`
      edits.push({
        pos: commaAfter(text, last.getEnd()),
        text: elements.map((e) => `${separator}${e},`).join(''),
      });
    } else {
      edits.push({ pos: last.getEnd(), text: elements.map((e) => `,${separator}${e}`).join('') });
    }
    return edits;
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lastStart = last.getStart(sf);
  const indent = /[ \t]*$/.exec(text.slice(text.lastIndexOf('\n', lastStart - 1) + 1, lastStart))![0];
  if (trailingComma) {
    const after = afterSameLineComments(text, commaAfter(text, last.getEnd()));
    edits.push({ pos: after, text: elements.map((e) => `${eol}${indent}${e},`).join('') });
  } else {
    edits.push({ pos: last.getEnd(), text: ',' });
    const after = afterSameLineComments(text, last.getEnd());
    edits.push({
      pos: after,
      text: elements.map((e, i) => `${eol}${indent}${e}${i < elements.length - 1 ? ',' : ''}`).join(''),
    });
  }
  return edits;
}

/** A named import element; `typePrefix` marks type-only names inside a value declaration. */
function elementText(entry: Entry, typePrefix: boolean): string {
  const type = typePrefix && entry.typeOnly ? 'type ' : '';
  return `${type}${entry.isDefault ? `default as ${entry.name}` : entry.name}`;
}

function declarationText(specifier: string, entries: Entry[], style: Style): string {
  const from = ` from ${style.quote}${escapeString(specifier, style.quote)}${style.quote}${style.semicolon ? ';' : ''}`;
  const allTypes = entries.every((e) => e.typeOnly);
  const defaultEntry = entries.find((e) => e.isDefault && (allTypes || !e.typeOnly));
  // `import type D, { A }` is not allowed: with named type imports, the default goes in the braces.
  const named = entries.filter((e) => e !== defaultEntry || (allTypes && entries.length > 1));
  const head = defaultEntry && !named.includes(defaultEntry) ? defaultEntry.name : undefined;
  const braces =
    named.length > 0 ? `{ ${named.map((e) => elementText(e, !allTypes)).join(', ')} }` : undefined;
  const clause = [head, braces].filter((p) => p !== undefined).join(', ');
  return `import ${allTypes ? 'type ' : ''}${clause}${from}`;
}

function escapeString(value: string, quote: string): string {
  return value.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`);
}

/** Where new declarations go: after the last import, or else after the file's header. */
function insertionFor(
  text: string,
  sf: ts.SourceFile,
  declarations: string[],
  eol: string,
): { edit: Edit; line: number } {
  const block = declarations.join(eol);
  const imports = sf.statements.filter((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s));
  const lastImport = imports.at(-1);
  if (lastImport) {
    const end = afterSameLineComments(text, lastImport.getEnd());
    const pos = nextLineStart(text, end);
    if (pos === text.length && !text.endsWith('\n'))
      return { edit: { pos, text: `${eol}${block}` }, line: end };
    return { edit: { pos, text: `${block}${eol}` }, line: pos };
  }
  const header = headerEnd(text, sf);
  let pos = header === 0 ? 0 : nextLineStart(text, afterSameLineComments(text, header));
  while (pos < text.length && text.slice(pos, nextLineStart(text, pos)).trim() === '')
    pos = nextLineStart(text, pos);
  if (pos === text.length) {
    const lead = text.length > 0 && !text.endsWith('\n') ? eol : '';
    return { edit: { pos, text: `${lead}${block}${eol}` }, line: pos };
  }
  // Code follows: a blank line sets the imports apart from it.
  return { edit: { pos, text: `${block}${eol}${eol}` }, line: pos };
}

/**
 * The end of what has to stay above the imports: a shebang, a `'use strict'` prologue, and
 * leading comments set apart from the code by a blank line (a licence). A comment directly
 * above the first statement documents it and stays with it.
 */
function headerEnd(text: string, sf: ts.SourceFile): number {
  let end = 0;
  if (text.startsWith('#!')) {
    const nl = text.indexOf('\n');
    end = nl === -1 ? text.length : nl;
  }
  let i = 0;
  while (i < sf.statements.length && isPrologueDirective(sf.statements[i]!)) {
    end = sf.statements[i]!.getEnd();
    i++;
  }
  if (i > 0) return end;
  const comments = ts.getLeadingCommentRanges(text, end) ?? [];
  const firstStatement = sf.statements[0]?.getStart(sf);
  comments.forEach((c, k) => {
    const next = comments[k + 1]?.pos ?? firstStatement ?? text.length;
    if (firstStatement === undefined || /\n[ \t]*\r?\n/.test(text.slice(c.end, next))) end = c.end;
  });
  return end;
}

function isPrologueDirective(stmt: ts.Statement): boolean {
  return ts.isExpressionStatement(stmt) && ts.isStringLiteral(stmt.expression);
}

/** The position just after the comma that follows `pos`, past any comments in between. */
function commaAfter(text: string, pos: number): number {
  let p = ts.getLeadingCommentRanges(text, pos)?.at(-1)?.end ?? pos;
  while (/\s/.test(text[p] ?? '')) p++;
  return text[p] === ',' ? p + 1 : pos;
}

function applyEdits(text: string, edits: Edit[]): string {
  // Stable: edits at one position keep the order they were made in.
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.pos - b.pos || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    out += text.slice(pos, e.pos) + e.text;
    pos = e.pos;
  }
  return out + text.slice(pos);
}
