/**
 * The codemod of unused imports. It uses ts-morph's API to read import declarations; ts-morph
 * 28 bundles the same TypeScript (6.0) as @selfreview/shared/compiler, so its compiler nodes are
 * read with that compiler's functions where plain syntax questions are asked.
 */
import { createRequire } from 'node:module';
import { ts } from '@selfreview/shared/compiler';
import type { ImportDeclaration, ImportEqualsDeclaration, Node, SourceFile } from 'ts-morph';
import {
  afterSameLineComments,
  applyRanges,
  collapseBlankLines,
  DIRECTIVES,
  lineStartOf,
  mergeRanges,
  type Range,
  runs,
  statementRemoval,
  withoutBom,
} from '../lib/edits.ts';
import { type Codemod, type CodemodInput, type CodemodResult, itemEvidence, skipList } from '../lib/fix.ts';
import { isNameReference, linkedNames } from '../lib/references.ts';
import { CHANGE_TYPE, UnusedImportEvidence } from './schema.ts';

export type RemoveUnusedImportSkipReason =
  /** No import of `moduleSpecifier` binds `name` any more: the file changed since scan. */
  | 'not_found'
  /** The name is used outside import declarations: the file changed, or scan was wrong. */
  | 'still_referenced'
  /** `export import x = ...` is part of the module's API even when unused inside it. */
  | 'exported'
  /** Another item already removes the same binding. */
  | 'duplicate'
  /** The item is not an unused-import candidate for this file. */
  | 'unsupported_item'
  /** The parser did not see the text we were given, so its positions cannot be trusted. */
  | 'parse_mismatch';

type Binding =
  | { kind: 'default' | 'namespace'; decl: ImportDeclaration }
  | { kind: 'named'; decl: ImportDeclaration; index: number }
  | { kind: 'equals'; decl: ImportEqualsDeclaration };

interface DeclPlan {
  decl: ImportDeclaration | ImportEqualsDeclaration;
  removeDefault: boolean;
  removeNamespace: boolean;
  removeNamed: Set<number>;
}

// A directive on the line above an import would silently move onto the next statement
// once the import is gone; an orphaned `@ts-expect-error` even fails the typecheck (TS2578).
const DIRECTIVE_LINE = new RegExp(
  String.raw`^\s*(?://\s*(?:${DIRECTIVES})\b.*|/\*\s*(?:${DIRECTIVES})\b.*\*/\s*)$`,
);

/**
 * ts-morph, loaded on first use: it bundles a second copy of TypeScript (about 0.8 s to load), and
 * every process that imports the checks' registry (scan, apply) would pay for it without ever
 * running this codemod.
 */
let loadedTsMorph: typeof import('ts-morph') | undefined;
function tsMorph(): typeof import('ts-morph') {
  loadedTsMorph ??= createRequire(import.meta.url)('ts-morph') as typeof import('ts-morph');
  return loadedTsMorph;
}

export const removeUnusedImport: Codemod = {
  changeType: CHANGE_TYPE,
  description: 'Remove import bindings that are never referenced; drop the declaration when nothing is left.',
  apply: applyRemoveUnusedImport,
};

export function applyRemoveUnusedImport(input: CodemodInput): CodemodResult {
  const applied: string[] = [];
  const { skipped, skip } = skipList<RemoveUnusedImportSkipReason>();

  // ts-morph drops a leading BOM from the text it parses, which would shift every position by one.
  const { bom, text } = withoutBom(input.text);

  const project = new (tsMorph().Project)({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true });
  // The file's own extension decides whether JSX is parsed.
  const sf = project.createSourceFile(`/${input.file}`, text, { overwrite: true });
  if (sf.getFullText() !== text) {
    for (const item of input.items) skip(item.candidate.id, 'parse_mismatch');
    return { text: input.text, linesAffected: [], applied, skipped };
  }

  // Every lookup runs against the original tree; edits are computed as ranges of the
  // original text and applied once at the end, so no position is read after a change.
  const referenced = referencedNames(sf.compilerNode as unknown as ts.SourceFile);
  const plans = new Map<ImportDeclaration | ImportEqualsDeclaration, DeclPlan>();
  const claimed = new Set<string>();

  for (const item of input.items) {
    const id = item.candidate.id;
    const evidence = itemEvidence(UnusedImportEvidence, CHANGE_TYPE, item, input.file);
    if (!evidence) {
      skip(id, 'unsupported_item');
      continue;
    }
    const binding = findBinding(sf, evidence);
    if (!binding) {
      skip(id, 'not_found');
      continue;
    }
    if (binding.kind === 'equals' && binding.decl.hasExportKeyword()) {
      skip(id, 'exported');
      continue;
    }
    if (referenced.has(evidence.name)) {
      skip(id, 'still_referenced');
      continue;
    }
    const key = `${binding.decl.getStart()}:${evidence.name}`;
    if (claimed.has(key)) {
      skip(id, 'duplicate');
      continue;
    }
    claimed.add(key);

    let plan = plans.get(binding.decl);
    if (!plan) {
      plan = { decl: binding.decl, removeDefault: false, removeNamespace: false, removeNamed: new Set() };
      plans.set(binding.decl, plan);
    }
    if (binding.kind === 'default') plan.removeDefault = true;
    else if (binding.kind === 'namespace') plan.removeNamespace = true;
    else if (binding.kind === 'named') plan.removeNamed.add(binding.index);
    applied.push(id);
  }

  const ranges: Range[] = [];
  const lines = new Set<number>();
  const lineOf = (pos: number): number => sf.compilerNode.getLineAndCharacterOfPosition(pos).line + 1;
  for (const plan of plans.values()) {
    for (let l = lineOf(plan.decl.getStart()); l <= lineOf(plan.decl.getEnd()); l++) lines.add(l);
    const edit = planEdit(text, plan);
    if (edit.wholeLines) {
      // Directive lines and the line break go with a declaration that owns its lines.
      for (let l = lineOf(edit.ranges[0]!.start); l <= lineOf(edit.ranges[0]!.end - 1); l++) lines.add(l);
    }
    ranges.push(...edit.ranges);
  }

  return {
    text: bom + applyRanges(text, collapseBlankLines(text, mergeRanges(ranges))),
    linesAffected: [...lines].sort((a, b) => a - b),
    applied,
    skipped,
  };
}

/**
 * Matches on the local name rather than on `form`/`importedName`: a local name is unique in
 * the module, and if the import was rewritten since scan (say `{ x }` became `{ y as x }`)
 * the binding is still the one the candidate is about.
 */
function findBinding(sf: SourceFile, ev: UnusedImportEvidence): Binding | undefined {
  for (const decl of sf.getImportDeclarations()) {
    if (decl.getModuleSpecifierValue() !== ev.moduleSpecifier) continue;
    if (decl.getDefaultImport()?.getText() === ev.name) return { kind: 'default', decl };
    if (decl.getNamespaceImport()?.getText() === ev.name) return { kind: 'namespace', decl };
    const index = decl
      .getNamedImports()
      .findIndex((s) => (s.getAliasNode()?.getText() ?? s.getNameNode().getText()) === ev.name);
    if (index >= 0) return { kind: 'named', decl, index };
  }
  for (const stmt of sf.getStatements()) {
    if (
      tsMorph().Node.isImportEqualsDeclaration(stmt) &&
      stmt.getName() === ev.name &&
      importEqualsTarget(stmt) === ev.moduleSpecifier
    ) {
      return { kind: 'equals', decl: stmt };
    }
  }
  return undefined;
}

/** `'m'` for `import x = require('m')`, the entity text for `import x = A.B`. */
function importEqualsTarget(decl: ImportEqualsDeclaration): string {
  const ref = decl.getModuleReference();
  if (tsMorph().Node.isExternalModuleReference(ref)) {
    const expr = ref.getExpression();
    if (expr && tsMorph().Node.isStringLiteral(expr)) return expr.getLiteralValue();
  }
  return ref.getText();
}

/**
 * Names used anywhere outside import declarations. Positions that merely spell a name
 * without referring to a binding (`o.name`, `{ name: 1 }`, `A.name` in types, class
 * members, labels) are left out; anything else counts, erring towards keeping an import.
 * Comments do not count, except `{@link x}`: tsc treats it as a use (it resolves the link
 * through the import), and removing the import would break the link.
 */
function referencedNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  // Matched over the whole text rather than JSDoc nodes only: a stray match merely keeps an import.
  for (const name of linkedNames(sf.text)) names.add(name);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isImportTypeNode(node)) {
      // `import('m').A.B` names exports of another module, not local bindings.
      node.typeArguments?.forEach(visit);
      return;
    }
    if (ts.isIdentifier(node)) {
      if (isNameReference(node)) names.add(node.text);
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return names;
}

function planEdit(text: string, plan: DeclPlan): { ranges: Range[]; wholeLines: boolean } {
  const { decl } = plan;
  if (tsMorph().Node.isImportEqualsDeclaration(decl)) return removeStatement(text, decl);

  const defaultImport = decl.getDefaultImport();
  const bindings = decl.getImportClause()?.getNamedBindings();
  const named = decl.getNamedImports();
  const keepsDefault = defaultImport !== undefined && !plan.removeDefault;
  const keepsBindings =
    bindings !== undefined &&
    (tsMorph().Node.isNamespaceImport(bindings)
      ? !plan.removeNamespace
      : plan.removeNamed.size < named.length);
  if (!keepsDefault && !keepsBindings) return removeStatement(text, decl);

  const ranges: Range[] = [];
  if (defaultImport && !keepsDefault && bindings) {
    // `import D, { a } from` -> `import { a } from`
    ranges.push({ start: defaultImport.getStart(), end: bindings.getStart() });
  }
  if (bindings && !keepsBindings && defaultImport) {
    // `import D, { a } from` -> `import D from`
    ranges.push({ start: defaultImport.getEnd(), end: bindings.getEnd() });
  } else if (bindings && tsMorph().Node.isNamedImports(bindings) && plan.removeNamed.size > 0) {
    const openBrace = bindings.getFirstChildByKindOrThrow(ts.SyntaxKind.OpenBraceToken);
    const commaAfter = (i: number) => named[i]?.getNextSiblingIfKind(ts.SyntaxKind.CommaToken);
    for (const [first, last] of runs(plan.removeNamed)) {
      // A comment on the same line as a comma belongs to the element before that comma, so a
      // run is cut from just after the previous element's comment to just after its own.
      const before = first > 0 ? commaAfter(first - 1) : openBrace;
      const start = afterSameLineComments(text, before!.getEnd());
      const ownComma = commaAfter(last);
      if (ownComma) {
        ranges.push({ start, end: afterSameLineComments(text, ownComma.getEnd()) });
      } else {
        // The run ends the list and there is no trailing comma: the previous element's comma
        // has to go too, but a comment after it stays with that element.
        const prev = named[first - 1]!;
        const prevComma = commaAfter(first - 1)!;
        ranges.push({ start: prev.getEnd(), end: prevComma.getEnd() });
        ranges.push({ start, end: afterSameLineComments(text, named[last]!.getEnd()) });
      }
    }
  }
  return { ranges, wholeLines: false };
}

/**
 * The range that removes a whole statement: see `statementRemoval`. Directive comments right
 * above it go with it; comments above that are not directives stay: they may describe the
 * code that follows.
 */
function removeStatement(text: string, node: Node): { ranges: Range[]; wholeLines: boolean } {
  const { range, wholeLines } = statementRemoval(text, node.getStart(), node.getEnd(), (lineStart) => {
    let from = lineStart;
    while (from > 0) {
      const prevLine = lineStartOf(text, from - 1);
      if (!DIRECTIVE_LINE.test(text.slice(prevLine, from).replace(/\r?\n$/, ''))) break;
      from = prevLine;
    }
    return from;
  });
  return { ranges: [range], wholeLines };
}
