/**
 * Who exports what and who imports what from whom, across the repository at one commit:
 * enough to answer "which modules export this missing name?" and "which files import this
 * exported function?" without a language service. Pure: built from file texts.
 */
import { posix } from 'node:path';
import { parseFile, ts } from '@selfreview/shared/compiler';
import type { ImportSource } from '@selfreview/shared/schemas';

/**
 * A file is parsed only when a question needs it: a name's exporters are among the files whose
 * text holds the name (or a backslash, with which an escape can spell any name; `default` can be
 * exported without the word, by `export =`, so it reads every file), a file's import source is
 * that file's, and importers need every file. A repository of 1,500 files whose candidates ask for
 * the exporters of one name parses a few hundred of them, not all.
 */
export class RepoIndex {
  /** name -> file exporting it -> whether only as a type (interface, type alias), of the files parsed */
  private readonly exporters = new Map<string, Map<string, boolean>>();
  /** `${file}\0${name}` -> files importing it from `file` ('*' imports count for every name), of the files parsed */
  private readonly importers = new Map<string, Set<string>>();
  private readonly files: ReadonlySet<string>;
  /** The texts of the files not parsed yet. */
  private readonly unread: Map<string, string>;

  private constructor(files: ReadonlyMap<string, string>) {
    this.files = new Set(files.keys());
    this.unread = new Map(files);
  }

  static build(files: ReadonlyMap<string, string>): RepoIndex {
    return new RepoIndex(files);
  }

  exportersOf(name: string, except?: string): string[] {
    this.readWhere((text) => name === 'default' || text.includes(name) || text.includes('\\'));
    return [...(this.exporters.get(name)?.keys() ?? [])].filter((f) => f !== except).sort();
  }

  /** How `name` is exported by `file`, as an import of it must be written. */
  importSource(name: string, file: string): ImportSource | undefined {
    this.read(file);
    const typeOnly = this.exporters.get(name)?.get(file);
    return typeOnly === undefined ? undefined : { module: file, typeOnly, isDefault: false };
  }

  importersOf(file: string, name: string): string[] {
    this.readWhere(() => true);
    const named = this.importers.get(`${file}\0${name}`) ?? new Set<string>();
    const star = this.importers.get(`${file}\0*`) ?? new Set<string>();
    return [...new Set([...named, ...star])].filter((f) => f !== file).sort();
  }

  private readWhere(wanted: (text: string) => boolean): void {
    for (const [file, text] of this.unread) if (wanted(text)) this.read(file);
  }

  private read(file: string): void {
    const text = this.unread.get(file);
    if (text === undefined) return;
    this.unread.delete(file);
    this.add(file, text);
  }

  private add(file: string, text: string): void {
    // Only statements are read, never a node's parent: parent pointers would be work for nothing.
    const sf = parseFile(file, text, { parents: false });
    const typeNames = typeOnlyDeclarations(sf);
    for (const statement of sf.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = this.resolve(file, statement.moduleSpecifier.text);
        const clause = statement.importClause;
        if (!target || !clause) continue;
        if (clause.name) this.addImporter(target, 'default', file);
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) this.addImporter(target, '*', file);
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements)
            this.addImporter(target, (el.propertyName ?? el.name).text, file);
        }
        continue;
      }
      if (ts.isExportDeclaration(statement)) {
        if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
          for (const el of statement.exportClause.elements) {
            const local = (el.propertyName ?? el.name).text;
            const typeOnly =
              statement.isTypeOnly || el.isTypeOnly || (!statement.moduleSpecifier && typeNames.has(local));
            this.addExporter(el.name.text, file, typeOnly);
          }
        }
        continue;
      }
      if (ts.isExportAssignment(statement)) {
        this.addExporter('default', file);
        continue;
      }
      const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
      if (!modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      if (modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) this.addExporter('default', file);
      if (ts.isVariableStatement(statement)) {
        for (const d of statement.declarationList.declarations)
          if (ts.isIdentifier(d.name)) this.addExporter(d.name.text, file);
      } else {
        const name = (statement as { name?: ts.Node }).name;
        const typeOnly = ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement);
        if (name && ts.isIdentifier(name)) this.addExporter(name.text, file, typeOnly);
      }
    }
  }

  private addExporter(name: string, file: string, typeOnly = false): void {
    const byFile = this.exporters.get(name) ?? new Map<string, boolean>();
    // A name declared both as a type and a value (interface merging with a const) imports as a value.
    byFile.set(file, (byFile.get(file) ?? true) && typeOnly);
    this.exporters.set(name, byFile);
  }

  private addImporter(target: string, name: string, file: string): void {
    const key = `${target}\0${name}`;
    const set = this.importers.get(key) ?? new Set<string>();
    set.add(file);
    this.importers.set(key, set);
  }

  /** A relative specifier's file in the repository, the way bundlers and Node's ESM-with-TS resolve it. */
  private resolve(from: string, specifier: string): string | undefined {
    if (!specifier.startsWith('.')) return undefined;
    const base = posix.normalize(posix.join(posix.dirname(from), specifier));
    const stem = base.replace(/\.(?:[cm]?js|jsx)$/, '');
    const candidates = [
      base,
      ...['.ts', '.tsx', '.mts', '.cts', '.d.ts'].map((ext) => `${stem}${ext}`),
      `${stem}/index.ts`,
      `${stem}/index.tsx`,
    ];
    return candidates.find((c) => this.files.has(c));
  }
}

/** Names the file declares only as types: an `export { Name }` of one of them exports a type. */
function typeOnlyDeclarations(sf: ts.SourceFile): Set<string> {
  const types = new Set<string>();
  const values = new Set<string>();
  for (const statement of sf.statements) {
    if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      types.add(statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) values.add(d.name.text);
    } else {
      const name = (statement as { name?: ts.Node }).name;
      if (name && ts.isIdentifier(name)) values.add(name.text);
    }
  }
  for (const v of values) types.delete(v);
  return types;
}
