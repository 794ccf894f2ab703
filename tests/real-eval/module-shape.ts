/**
 * What the planner reads from a module's syntax: its own named exports, and how its relative
 * imports are written (`./a.js`, `./a.ts`, `./a`), so an injected import looks like its neighbours.
 */
import path from 'node:path';
import { ts } from '@selfreview/shared/compiler';

export type SourceText = { path: string; text: string };
export type ExportedName = { name: string; typeOnly: boolean };

export function parse(file: SourceText): ts.SourceFile {
  const kind = file.path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, kind);
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (
    (ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined)?.some((m) => m.kind === kind) ?? false
  );
}

/** The module's own named exports (declarations with `export`, and `export { local }`); no re-exports, no default. */
export function moduleExports(file: SourceText): ExportedName[] {
  const sf = parse(file);
  const names: ExportedName[] = [];
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st)) {
      if (st.moduleSpecifier || !st.exportClause || !ts.isNamedExports(st.exportClause)) continue;
      for (const el of st.exportClause.elements) {
        names.push({ name: el.name.text, typeOnly: st.isTypeOnly || el.isTypeOnly });
      }
      continue;
    }
    if (!hasModifier(st, ts.SyntaxKind.ExportKeyword) || hasModifier(st, ts.SyntaxKind.DefaultKeyword))
      continue;
    if (hasModifier(st, ts.SyntaxKind.DeclareKeyword)) continue;
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
      names.push({ name: st.name.text, typeOnly: true });
    } else if (
      (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) &&
      st.name
    ) {
      names.push({ name: st.name.text, typeOnly: false });
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) names.push({ name: d.name.text, typeOnly: false });
      }
    }
  }
  // Overloads declare the same function several times.
  return [...new Map(names.map((n) => [n.name, n])).values()];
}

/** How relative imports end: `./a.js`, `./a.ts` or `./a`. */
export type SpecifierStyle = '.js' | '.ts' | '';

function relativeSpecifiers(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const st of sf.statements) {
    if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier) {
      if (ts.isStringLiteral(st.moduleSpecifier) && st.moduleSpecifier.text.startsWith('.')) {
        out.push(st.moduleSpecifier.text);
      }
    }
  }
  return out;
}

function styleOf(specifiers: readonly string[]): SpecifierStyle | undefined {
  const counts = new Map<SpecifierStyle, number>();
  for (const s of specifiers) {
    const style: SpecifierStyle = /\.[cm]?jsx?$/.test(s) ? '.js' : /\.[cm]?tsx?$/.test(s) ? '.ts' : '';
    counts.set(style, (counts.get(style) ?? 0) + 1);
  }
  let best: SpecifierStyle | undefined;
  for (const [style, n] of counts) if (best === undefined || n > counts.get(best)!) best = style;
  return best;
}

/** The file's own style; else its folder's; else the repository's; else extensionless. */
export function importStyleFor(file: string, parsed: ReadonlyMap<string, ts.SourceFile>): SpecifierStyle {
  const own = parsed.get(file);
  const fromOwn = own ? styleOf(relativeSpecifiers(own)) : undefined;
  if (fromOwn !== undefined) return fromOwn;
  const dir = path.posix.dirname(file);
  const neighbours: string[] = [];
  const all: string[] = [];
  for (const [p, sf] of parsed) {
    const specs = relativeSpecifiers(sf);
    all.push(...specs);
    if (path.posix.dirname(p) === dir) neighbours.push(...specs);
  }
  return styleOf(neighbours) ?? styleOf(all) ?? '';
}

export function specifierFor(from: string, target: string, style: SpecifierStyle): string {
  let rel = path.posix.relative(path.posix.dirname(from), target);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  const ext = /\.[cm]?tsx?$/.exec(rel)?.[0] ?? '';
  const stem = rel.slice(0, rel.length - ext.length);
  if (style === '.ts') return rel;
  // Under node16/nodenext and bundler resolution, `.js` names the `.ts` and the `.tsx` alike.
  if (style === '.js') return stem + ext.replace(/tsx?$/, 'js');
  return stem;
}
