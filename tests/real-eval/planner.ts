/**
 * The injection planner: given the repository's source texts and a seed, which known problems
 * to add where. Pure and deterministic (same input, same plan), so a measurement can be rerun
 * and a surprising result traced back to the exact edits.
 */
import path from 'node:path';
import { ts } from '@selfreview/shared/compiler';
import {
  type ExportedName,
  hasModifier,
  importStyleFor,
  moduleExports,
  parse,
  type SourceText,
  specifierFor,
} from './module-shape.ts';

export type { ExportedName, SourceText };

export const INJECTION_KINDS = [
  'unused-import',
  'unused-type-import',
  'unused-local',
  'unused-parameter',
] as const;
export type InjectionKind = (typeof INJECTION_KINDS)[number];

/** One planned problem: `insert` goes at `offset` of the file's original text. */
export type Injection = {
  file: string;
  kind: InjectionKind;
  /** The name the problem introduces; chosen so it does not occur in the file before. */
  name: string;
  offset: number;
  insert: string;
};

/** A recorded problem, with its 1-based line in the file as committed. */
export type ManifestEntry = { file: string; kind: InjectionKind; name: string; line: number; text: string };

export type PlanInput = {
  /** Every TypeScript source of the repository: where exports and import styles come from. */
  sources: readonly SourceText[];
  /** The subset problems may be injected into (not tests, not generated, not protected). */
  eligible: readonly string[];
  /** Folders holding a package.json: imports do not cross from one package into another. */
  packageRoots: readonly string[];
  seed: number;
  files: number;
};

export type Plan = {
  injections: Injection[] /** Eligible files that offered no place to inject. */;
  skipped: string[];
};

/** mulberry32: a tiny, well-distributed generator, so the plan depends on the seed only. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function packageRootOf(file: string, roots: readonly string[]): string {
  let best = '';
  for (const r of roots) {
    const prefix = r === '' || r === '.' ? '' : `${r}/`;
    if (file.startsWith(prefix) && prefix.length >= best.length) best = prefix;
  }
  return best;
}

function occurs(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w$])_*${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);
}

/** Where a new import line goes: after the last import, else before the first statement (after directives). */
function importInsertOffset(sf: ts.SourceFile): number {
  const imports = sf.statements.filter((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s));
  const last = imports.at(-1);
  if (last) return lineEnd(sf.text, last.end);
  const first = sf.statements.find((s) => !(ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)));
  if (!first) return lineEnd(sf.text, sf.statements.at(-1)?.end ?? 0);
  return lineStart(sf.text, first.getStart(sf));
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just past the newline ending the line that holds `offset` (or the end of the text). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

const LOCALS: readonly [string, string][] = [
  ['retryCount', '0'],
  ['maxDepth', '8'],
  ['isVerbose', 'false'],
  ['pendingTotal', '0'],
  ['startIndex', '0'],
  ['hasChanges', 'false'],
  ['attemptLimit', '3'],
  ['bufferSize', '64'],
];
const PARAMETERS: readonly [string, string][] = [
  ['options', 'unknown'],
  ['context', 'unknown'],
  ['verbose', 'boolean'],
  ['depth', 'number'],
  ['label', 'string'],
];

type SiteMaker = (name: string, valueOrType: string) => Injection;

/** One of the sites, with the first name of the shuffled list that is new to the file. */
function pickSite(
  sites: readonly SiteMaker[],
  names: readonly [string, string][],
  random: () => number,
  fresh: (name: string) => boolean,
): Injection | null {
  if (sites.length === 0) return null;
  const at = sites[Math.floor(random() * sites.length)]!;
  const choice = shuffled(names, random).find(([n]) => fresh(n));
  return choice ? at(choice[0], choice[1]) : null;
}

function unusedLocalSites(sf: ts.SourceFile, file: string): SiteMaker[] {
  const sites: SiteMaker[] = [];
  const visit = (node: ts.Node) => {
    // Not constructors: a statement before `super()` is an error where the class has property initializers.
    if (
      ts.isFunctionLike(node) &&
      !ts.isConstructorDeclaration(node) &&
      'body' in node &&
      node.body &&
      ts.isBlock(node.body)
    ) {
      const first = node.body.statements[0];
      const isDirective = first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression);
      const text = sf.text;
      // The new line copies the first statement's indentation, so it needs a statement on its own line.
      if (first && !isDirective) {
        const start = first.getStart(sf);
        const ls = lineStart(text, start);
        const indent = text.slice(ls, start);
        if (/^[ \t]*$/.test(indent) && ls > node.body.getStart(sf)) {
          sites.push((name, value) => ({
            file,
            kind: 'unused-local',
            name,
            offset: ls,
            insert: `${indent}const ${name} = ${value};\n`,
          }));
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sites;
}

function unusedParameterSites(sf: ts.SourceFile, file: string): SiteMaker[] {
  const sites: SiteMaker[] = [];
  const declared = new Map<string, number>();
  const visit = (node: ts.Node) => {
    if (ts.isFunctionDeclaration(node) && node.name) {
      declared.set(node.name.text, (declared.get(node.name.text) ?? 0) + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const collect = (node: ts.Node) => {
    if (
      ts.isFunctionDeclaration(node) &&
      node.name &&
      node.body &&
      !hasModifier(node, ts.SyntaxKind.ExportKeyword) &&
      declared.get(node.name.text) === 1 &&
      !node.parameters.some((p) => p.dotDotDotToken) &&
      !isExportedByName(sf, node.name.text)
    ) {
      const params = node.parameters;
      const last = params.at(-1);
      // A trailing comma stays where it is: insert the new parameter after it or after the last one.
      const offset = last ? last.end : params.pos;
      const separator = last ? ', ' : '';
      sites.push((name, type) => ({
        file,
        kind: 'unused-parameter',
        name,
        offset,
        insert: `${separator}${name}?: ${type}`,
      }));
    }
    ts.forEachChild(node, collect);
  };
  collect(sf);
  return sites;
}

function isExportedByName(sf: ts.SourceFile, name: string): boolean {
  return sf.statements.some(
    (st) =>
      ts.isExportDeclaration(st) &&
      st.exportClause &&
      ts.isNamedExports(st.exportClause) &&
      st.exportClause.elements.some((el) => (el.propertyName ?? el.name).text === name),
  );
}

/** Names the file already imports (any form), so the planner picks an export it does not have. */
function importedNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause) continue;
    const c = st.importClause;
    if (c.name) names.add(c.name.text);
    if (c.namedBindings && ts.isNamedImports(c.namedBindings)) {
      for (const el of c.namedBindings.elements) names.add((el.propertyName ?? el.name).text);
    }
  }
  return names;
}

/**
 * Chooses `files` eligible files by the seed and, in each, an unused import (value or type,
 * alternating) of another module's real export plus an unused local or an unused trailing
 * parameter, where the file offers a place for them.
 */
export function planInjections(input: PlanInput): Plan {
  const random = seededRandom(input.seed);
  const parsed = new Map(input.sources.map((s) => [s.path, parse(s)]));
  const exportsByModule = new Map(input.sources.map((s) => [s.path, moduleExports(s)]));
  const injections: Injection[] = [];
  const skipped: string[] = [];
  let injectedFiles = 0;
  for (const file of shuffled([...input.eligible].sort(), random)) {
    if (injectedFiles >= input.files) break;
    const sf = parsed.get(file);
    if (!sf) continue;
    const used = new Set<string>();
    const fresh = (name: string) => !occurs(sf.text, name) && !used.has(name);
    const forFile: Injection[] = [];

    const wantType = random() < 0.5;
    const importSite = pickImport(file, sf, input, parsed, exportsByModule, wantType, random, fresh);
    if (importSite) {
      forFile.push(importSite);
      used.add(importSite.name);
    }

    const locals = unusedLocalSites(sf, file);
    const params = unusedParameterSites(sf, file);
    const localFirst = random() < 0.5;
    const second = localFirst
      ? (pickSite(locals, LOCALS, random, fresh) ?? pickSite(params, PARAMETERS, random, fresh))
      : (pickSite(params, PARAMETERS, random, fresh) ?? pickSite(locals, LOCALS, random, fresh));
    if (second) forFile.push(second);
    if (forFile.length === 0) {
      skipped.push(file);
      continue;
    }
    injections.push(...forFile);
    injectedFiles++;
  }
  return { injections, skipped };
}

function pickImport(
  file: string,
  sf: ts.SourceFile,
  input: PlanInput,
  parsed: ReadonlyMap<string, ts.SourceFile>,
  exportsByModule: ReadonlyMap<string, ExportedName[]>,
  wantType: boolean,
  random: () => number,
  fresh: (name: string) => boolean,
): Injection | null {
  const root = packageRootOf(file, input.packageRoots);
  const already = importedNames(sf);
  const options: { module: string; name: string; typeOnly: boolean }[] = [];
  for (const [module, names] of exportsByModule) {
    if (module === file || packageRootOf(module, input.packageRoots) !== root) continue;
    if (/\.d\.[cm]?ts$/.test(module)) continue;
    for (const n of names) {
      if (already.has(n.name) || !fresh(n.name)) continue;
      // The compiler itself never reports an unused import named `_x`: the underscore reads as
      // "unused on purpose", so such an injection is not a problem by the repository's standards.
      if (n.name.startsWith('_')) continue;
      // A type imported without `import type` is an error under verbatimModuleSyntax.
      if (!wantType && n.typeOnly) continue;
      options.push({ module, name: n.name, typeOnly: n.typeOnly });
    }
  }
  if (options.length === 0) return null;
  // Prefer a module of the same folder, as a real import usually is.
  const dir = path.posix.dirname(file);
  const near = options.filter((o) => path.posix.dirname(o.module) === dir);
  const pool = (near.length > 0 ? near : options).sort((a, b) =>
    a.module === b.module ? a.name.localeCompare(b.name) : a.module.localeCompare(b.module),
  );
  const pick = pool[Math.floor(random() * pool.length)]!;
  const specifier = specifierFor(file, pick.module, importStyleFor(file, parsed));
  const quote = /^\s*import[^\n]*"/m.test(sf.text) && !/^\s*import[^\n]*'/m.test(sf.text) ? '"' : "'";
  const semi = /^\s*import[^\n;]*['"]\s*$/m.test(sf.text) ? '' : ';';
  const keyword = wantType ? 'import type' : 'import';
  const offset = importInsertOffset(sf);
  const needsNewline = offset === sf.text.length && !sf.text.endsWith('\n') && sf.text.length > 0;
  return {
    file,
    kind: wantType ? 'unused-type-import' : 'unused-import',
    name: pick.name,
    offset,
    insert: `${needsNewline ? '\n' : ''}${keyword} { ${pick.name} } from ${quote}${specifier}${quote}${semi}\n`,
  };
}

/**
 * The file's text with the given injections (all of one file) inserted, and each one's
 * manifest entry with its line in the new text.
 */
export function applyInjections(
  text: string,
  injections: readonly Injection[],
): { text: string; entries: ManifestEntry[] } {
  const sorted = [...injections].sort((a, b) => a.offset - b.offset);
  let out = '';
  let cursor = 0;
  const entries: ManifestEntry[] = [];
  for (const inj of sorted) {
    out += text.slice(cursor, inj.offset);
    const line = out.split('\n').length + (inj.insert.startsWith('\n') ? 1 : 0);
    out += inj.insert;
    cursor = inj.offset;
    entries.push({ file: inj.file, kind: inj.kind, name: inj.name, line, text: inj.insert.trim() });
  }
  out += text.slice(cursor);
  return { text: out, entries };
}
