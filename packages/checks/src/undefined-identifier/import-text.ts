/**
 * Writing an import the way the file already writes them: its quotes, semicolons and
 * specifier style, joined to an existing declaration of the same module where one can take
 * the names, or as a new declaration after the last import (or the file's header). Pure.
 */
import { posix } from 'node:path';
import { ts } from '@selfreview/shared/compiler';
import { afterSameLineComments, nextLineStart } from '../lib/edits.ts';

export type SpecifierStyle = 'extensionless' | 'js' | 'ts';

export interface Entry {
  name: string;
  typeOnly: boolean;
  isDefault: boolean;
}

export interface Group {
  module: string;
  entries: Entry[];
}

export interface Edit {
  pos: number;
  text: string;
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

function importDeclarations(sf: ts.SourceFile): ts.ImportDeclaration[] {
  return sf.statements.filter(ts.isImportDeclaration);
}

export interface Style {
  quote: "'" | '"';
  semicolon: boolean;
  extension: SpecifierStyle;
}

export function detectStyle(sf: ts.SourceFile): Style {
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
export function mergeTarget(sf: ts.SourceFile, file: string, group: Group): ts.ImportDeclaration | undefined {
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

export function mergeEdits(
  text: string,
  sf: ts.SourceFile,
  decl: ts.ImportDeclaration,
  entries: Entry[],
): Edit[] {
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

export function declarationText(specifier: string, entries: Entry[], style: Style): string {
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
export function insertionFor(
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

export function applyEdits(text: string, edits: Edit[]): string {
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
