import type { FixItem, UnusedLocalEvidence } from '@selfreview/shared/schemas';
import { ts } from 'ts-morph';
import type { Codemod, CodemodInput, CodemodResult, CodemodSkip } from '../types.ts';

export type RemoveUnusedLocalSkipReason =
  /** No declaration of that name and kind is in the file any more. */
  | 'not_found'
  /** The name still occurs as a reference somewhere else in the file. */
  | 'still_referenced'
  /** Removing it would drop an initializer (or default) that may do something. */
  | 'side_effect'
  /** An object rest sibling (`{ a, ...rest }`): removing `a` would change `rest`. */
  | 'rest_sibling'
  /** Exported declarations are part of the module's API. */
  | 'exported'
  /** A loop or catch variable, which cannot simply go. */
  | 'unsupported_declaration'
  /** Another item already removes the same declaration. */
  | 'duplicate'
  /** The item is not an unused-local candidate for this file (or a kind we do not remove). */
  | 'unsupported_item'
  /** The input, or the output, does not parse: positions or the result cannot be trusted. */
  | 'parse_error';

type Target =
  /** A variable declarator with a plain identifier name. */
  | { kind: 'declarator'; node: ts.VariableDeclaration }
  /** One element of a destructuring pattern of a variable declaration. */
  | { kind: 'element'; node: ts.BindingElement }
  /** A function, class, interface, type alias or enum declaration. */
  | { kind: 'statement'; node: ts.Statement }
  /** A private class member. */
  | { kind: 'member'; node: ts.ClassElement };

interface Range {
  start: number;
  end: number;
}

const BOM = '\uFEFF';
const JSDOC_LINK = /\{@link(?:code|plain)?\s+([\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)/gu;
const DIRECTIVES = '@ts-ignore|@ts-expect-error|eslint-disable-next-line|biome-ignore|prettier-ignore';
const DIRECTIVE_COMMENT = new RegExp(String.raw`^(?://\s*(?:${DIRECTIVES})\b|/\*\s*(?:${DIRECTIVES})\b)`);

export const removeUnusedLocal: Codemod = {
  changeType: 'remove_unused_local',
  description:
    'Remove unused local variables, destructured names, functions, classes, types, enums and private members.',
  apply: applyRemoveUnusedLocal,
};

export function applyRemoveUnusedLocal(input: CodemodInput): CodemodResult {
  const applied: string[] = [];
  const skipped: CodemodSkip[] = [];
  const skip = (candidateId: string, reason: RemoveUnusedLocalSkipReason): void => {
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
  if (hasParseErrors(input.file, text)) return unchanged();
  const sf = ts.createSourceFile(
    `/${input.file}`,
    text,
    ts.ScriptTarget.Latest,
    true,
    scriptKindOf(input.file),
  );

  // Every lookup runs against the original tree; edits are ranges of the original text.
  const identifiers = collectIdentifiers(sf);
  const claimed = new Set<ts.Node>();
  const declarators = new Map<ts.VariableDeclaration, { ids: string[]; elements: Set<ts.BindingElement> }>();
  const removals: { id: string; target: Target }[] = [];

  for (const item of input.items) {
    const id = item.candidate.id;
    const evidence = unusedLocalEvidence(item, input.file);
    if (!evidence) {
      skip(id, 'unsupported_item');
      continue;
    }
    const target = findTarget(sf, evidence, item.candidate.line);
    if (target === 'unsupported') {
      skip(id, 'unsupported_item');
      continue;
    }
    if (!target) {
      skip(id, 'not_found');
      continue;
    }
    const reason = judge(target, identifiers);
    if (reason) {
      skip(id, reason);
      continue;
    }
    if (claimed.has(target.node)) {
      skip(id, 'duplicate');
      continue;
    }
    claimed.add(target.node);
    if (target.kind === 'element') {
      const decl = rootDeclaration(target.node);
      let group = declarators.get(decl);
      if (!group) {
        group = { ids: [], elements: new Set() };
        declarators.set(decl, group);
      }
      group.ids.push(id);
      group.elements.add(target.node);
    } else {
      removals.push({ id, target });
    }
  }

  // Destructured elements are judged per declarator: when every name of a pattern goes,
  // so does the declarator and with it the initializer, which then must be inert.
  const removedElements = new Set<ts.BindingElement>();
  const wholeDeclarators = new Set<ts.VariableDeclaration>();
  const applyIds = new Set<string>();
  for (const [decl, group] of declarators) {
    if (patternEmptied(decl.name as ts.BindingPattern, group.elements)) {
      if (decl.initializer && hasSideEffects(decl.initializer)) {
        for (const id of group.ids) skip(id, 'side_effect');
        continue;
      }
      wholeDeclarators.add(decl);
    } else {
      for (const e of liftEmptiedPatterns(group.elements)) removedElements.add(e);
    }
    for (const id of group.ids) applyIds.add(id);
  }
  for (const { target } of removals) {
    if (target.kind === 'declarator') wholeDeclarators.add(target.node);
  }

  const ranges: Range[] = [];
  // Declarators: grouped per list, the whole statement goes when every declarator does.
  const lists = new Map<ts.VariableDeclarationList, Set<number>>();
  for (const decl of wholeDeclarators) {
    const list = decl.parent as ts.VariableDeclarationList;
    const set = lists.get(list) ?? new Set<number>();
    set.add(list.declarations.indexOf(decl));
    lists.set(list, set);
  }
  for (const [list, indexes] of lists) {
    if (indexes.size === list.declarations.length) ranges.push(...removeStatement(sf, list.parent));
    else ranges.push(...removeListElements(text, list.declarations, indexes));
  }
  // Elements: grouped per pattern.
  const patterns = new Map<ts.BindingPattern, Set<number>>();
  for (const el of removedElements) {
    const pattern = el.parent;
    const set = patterns.get(pattern) ?? new Set<number>();
    set.add((pattern.elements as ts.NodeArray<ts.ArrayBindingElement>).indexOf(el));
    patterns.set(pattern, set);
  }
  for (const [pattern, indexes] of patterns)
    ranges.push(...removePatternElements(text, sf, pattern, indexes));
  for (const { target } of removals) {
    if (target.kind === 'statement' || target.kind === 'member')
      ranges.push(...removeStatement(sf, target.node));
  }

  for (const { id } of removals) applyIds.add(id);
  for (const item of input.items) if (applyIds.has(item.candidate.id)) applied.push(item.candidate.id);

  const final = collapseBlankLines(text, mergeRanges(ranges));
  const out = applyRanges(text, final);
  if (out !== text && hasParseErrors(input.file, out)) return unchanged();
  return { text: bom + out, linesAffected: linesOf(sf, final), applied, skipped };
}

function unusedLocalEvidence(item: FixItem, file: string): UnusedLocalEvidence | undefined {
  const { evidence } = item.candidate;
  if (item.changeType !== 'remove_unused_local' || evidence.kind !== 'unused-local') return undefined;
  if (item.candidate.file !== file) return undefined;
  return evidence;
}

/** The declaration of `name` of the evidence's kind whose name is nearest to `line`. */
function findTarget(
  sf: ts.SourceFile,
  ev: UnusedLocalEvidence,
  line: number,
): Target | undefined | 'unsupported' {
  if (ev.declarationKind === 'namespace' || ev.declarationKind === 'other') return 'unsupported';
  const found: { target: Target; nameNode: ts.Node }[] = [];
  const isName = (n: ts.Node | undefined): n is ts.Identifier | ts.PrivateIdentifier =>
    n !== undefined && (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && n.text === ev.name;
  const visit = (node: ts.Node): void => {
    switch (ev.declarationKind) {
      case 'variable':
      case 'destructured':
        if (ts.isVariableDeclaration(node) && isName(node.name)) {
          found.push({ target: { kind: 'declarator', node }, nameNode: node.name });
        } else if (
          ts.isBindingElement(node) &&
          isName(node.name) &&
          ts.isVariableDeclaration(bindingRoot(node))
        ) {
          found.push({ target: { kind: 'element', node }, nameNode: node.name });
        }
        break;
      case 'function':
        if (ts.isFunctionDeclaration(node) && node.body && isName(node.name)) {
          found.push({ target: { kind: 'statement', node }, nameNode: node.name });
        }
        break;
      case 'class':
        if (ts.isClassDeclaration(node) && isName(node.name)) {
          found.push({ target: { kind: 'statement', node }, nameNode: node.name });
        }
        break;
      case 'interface':
        if (ts.isInterfaceDeclaration(node) && isName(node.name)) {
          found.push({ target: { kind: 'statement', node }, nameNode: node.name });
        }
        break;
      case 'type':
        if (ts.isTypeAliasDeclaration(node) && isName(node.name)) {
          found.push({ target: { kind: 'statement', node }, nameNode: node.name });
        }
        break;
      case 'enum':
        if (ts.isEnumDeclaration(node) && isName(node.name)) {
          found.push({ target: { kind: 'statement', node }, nameNode: node.name });
        }
        break;
      case 'private-member': {
        const isMember =
          ts.isPropertyDeclaration(node) ||
          ts.isMethodDeclaration(node) ||
          ts.isGetAccessorDeclaration(node) ||
          ts.isSetAccessorDeclaration(node);
        if (isMember && ts.isClassLike(node.parent)) {
          const name = node.name;
          const matches =
            ((ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) && name.text === ev.name) ||
            (ts.isPrivateIdentifier(name) && name.text === `#${ev.name}`);
          const isPrivate =
            ts.isPrivateIdentifier(name) ||
            (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
          if (matches && isPrivate) found.push({ target: { kind: 'member', node }, nameNode: name });
        }
        break;
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  let best: { target: Target; distance: number } | undefined;
  for (const f of found) {
    const distance = Math.abs(sf.getLineAndCharacterOfPosition(f.nameNode.getStart(sf)).line + 1 - line);
    if (!best || distance < best.distance) best = { target: f.target, distance };
  }
  return best?.target;
}

function judge(target: Target, identifiers: Identifiers): RemoveUnusedLocalSkipReason | undefined {
  const node = target.node;
  const nameNode = (node as { name: ts.Node }).name;
  if (target.kind === 'member') {
    const text = (nameNode as ts.Identifier | ts.PrivateIdentifier).text;
    const bare = text.startsWith('#') ? text.slice(1) : text;
    const uses = identifiers.any.get(text)?.filter((n) => n !== nameNode) ?? [];
    if (uses.length > 0 || identifiers.strings.has(bare)) return 'still_referenced';
    if (ts.isPropertyDeclaration(node) && node.initializer && hasSideEffects(node.initializer))
      return 'side_effect';
    if (ts.getDecorators(node as ts.HasDecorators)?.length) return 'side_effect';
    return undefined;
  }
  const name = (nameNode as ts.Identifier).text;
  const uses = identifiers.references.get(name)?.filter((n) => n !== nameNode) ?? [];
  if (uses.length > 0 || identifiers.links.has(name)) return 'still_referenced';

  if (target.kind === 'statement') {
    if (isExported(node)) return 'exported';
    if (ts.isClassDeclaration(node) && classHasSideEffects(node)) return 'side_effect';
    return undefined;
  }
  const decl = target.kind === 'declarator' ? target.node : rootDeclaration(target.node);
  const list = decl.parent;
  if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(list.parent))
    return 'unsupported_declaration';
  if (isExported(list.parent)) return 'exported';
  // `await using` is `const | using` in the flags: compare the block-scope bits as a whole.
  const scope = list.flags & ts.NodeFlags.BlockScoped;
  if (scope === ts.NodeFlags.Using || scope === ts.NodeFlags.AwaitUsing) return 'side_effect';
  if (target.kind === 'declarator') {
    return decl.initializer && hasSideEffects(decl.initializer) ? 'side_effect' : undefined;
  }
  const el = target.node;
  if (el.dotDotDotToken) return 'rest_sibling';
  if (el.initializer && hasSideEffects(el.initializer)) return 'side_effect';
  if (ts.isObjectBindingPattern(el.parent) && el.parent.elements.some((e) => e.dotDotDotToken))
    return 'rest_sibling';
  if (
    el.propertyName &&
    ts.isComputedPropertyName(el.propertyName) &&
    hasSideEffects(el.propertyName.expression)
  ) {
    return 'side_effect';
  }
  return undefined;
}

function isExported(node: ts.Node): boolean {
  return (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).some(
    (m) => m.kind === ts.SyntaxKind.ExportKeyword,
  );
}

/** Static blocks, decorators, computed names and static initializers run when the class is defined. */
function classHasSideEffects(node: ts.ClassDeclaration): boolean {
  if (ts.getDecorators(node)?.length) return true;
  if (node.heritageClauses?.some((h) => h.types.some((t) => hasSideEffects(t.expression)))) return true;
  return node.members.some((m) => {
    if (ts.isClassStaticBlockDeclaration(m)) return true;
    if (ts.canHaveDecorators(m) && ts.getDecorators(m)?.length) return true;
    if (m.name && ts.isComputedPropertyName(m.name) && hasSideEffects(m.name.expression)) return true;
    const isStatic = (ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : []).some(
      (x) => x.kind === ts.SyntaxKind.StaticKeyword,
    );
    return (
      isStatic && ts.isPropertyDeclaration(m) && m.initializer !== undefined && hasSideEffects(m.initializer)
    );
  });
}

function bindingRoot(el: ts.BindingElement): ts.Node {
  let n: ts.Node = el;
  while (ts.isBindingElement(n) || ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) n = n.parent;
  return n;
}

function rootDeclaration(el: ts.BindingElement): ts.VariableDeclaration {
  return bindingRoot(el) as ts.VariableDeclaration;
}

/** Whether removing `removed` leaves no name bound by the pattern. */
function patternEmptied(pattern: ts.BindingPattern, removed: Set<ts.BindingElement>): boolean {
  return (pattern.elements as ts.NodeArray<ts.ArrayBindingElement>).every((e) => {
    if (ts.isOmittedExpression(e)) return true;
    if (removed.has(e)) return true;
    return !ts.isIdentifier(e.name) && patternEmptied(e.name, removed);
  });
}

/** `{ a: { b } }` with `b` removed: the element `a: { b }` goes instead of leaving `a: {}`. */
function liftEmptiedPatterns(removed: Set<ts.BindingElement>): Set<ts.BindingElement> {
  const out = new Set(removed);
  for (let changed = true; changed; ) {
    changed = false;
    for (const el of out) {
      const pattern = el.parent;
      const owner = pattern.parent;
      if (ts.isBindingElement(owner) && patternEmptied(pattern, out)) {
        for (const e of pattern.elements) if (ts.isBindingElement(e)) out.delete(e);
        out.add(owner);
        changed = true;
        break;
      }
    }
  }
  return out;
}

interface Identifiers {
  /** Identifiers in reference positions, by name. */
  references: Map<string, ts.Node[]>;
  /** Every identifier and private identifier, by text. */
  any: Map<string, ts.Node[]>;
  /** Names linked from comments with `{@link name}`. */
  links: Set<string>;
  /** The values of string literals (for `this['name']`). */
  strings: Set<string>;
}

function collectIdentifiers(sf: ts.SourceFile): Identifiers {
  const result: Identifiers = { references: new Map(), any: new Map(), links: new Set(), strings: new Set() };
  for (const m of sf.text.matchAll(JSDOC_LINK)) result.links.add(m[1]!);
  const add = (map: Map<string, ts.Node[]>, key: string, node: ts.Node) => {
    const list = map.get(key);
    if (list) list.push(node);
    else map.set(key, [node]);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      add(result.any, node.text, node);
      if (isReference(node)) add(result.references, node.text, node);
    } else if (ts.isPrivateIdentifier(node)) {
      add(result.any, node.text, node);
    } else if (ts.isStringLiteralLike(node)) {
      result.strings.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return result;
}

/**
 * Positions that merely spell a name (`o.name`, `{ name: 1 }`, member names, labels) are
 * not references; anything else is, erring towards keeping a declaration.
 */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p)) return p.name !== id;
  if (ts.isQualifiedName(p)) return p.right !== id;
  if (
    ts.isPropertyAssignment(p) ||
    ts.isPropertyDeclaration(p) ||
    ts.isPropertySignature(p) ||
    ts.isMethodDeclaration(p) ||
    ts.isMethodSignature(p) ||
    ts.isGetAccessorDeclaration(p) ||
    ts.isSetAccessorDeclaration(p) ||
    ts.isEnumMember(p) ||
    ts.isJsxAttribute(p) ||
    ts.isNamedTupleMember(p)
  ) {
    return p.name !== id;
  }
  // Other variables and parameters of the same name (in other scopes) declare, not use, it.
  if (ts.isBindingElement(p)) return p.propertyName !== id && p.name !== id;
  if (ts.isVariableDeclaration(p) || ts.isParameter(p)) return p.name !== id;
  if (ts.isLabeledStatement(p) || ts.isBreakStatement(p) || ts.isContinueStatement(p)) return p.label !== id;
  if (ts.isMetaProperty(p)) return false;
  if (ts.isExportSpecifier(p)) {
    if (p.parent.parent.moduleSpecifier) return false;
    return (p.propertyName ?? p.name) === id;
  }
  if (ts.isImportSpecifier(p)) return false;
  return true;
}

/**
 * Removes the elements at `indexes` of a comma-separated list, with their commas; a comment
 * on the same line after an element's comma goes with it.
 */
function removeListElements(text: string, list: ts.NodeArray<ts.Node>, indexes: Set<number>): Range[] {
  const ranges: Range[] = [];
  const commaAfter = (i: number): number | undefined => commaEnd(text, list[i]!.end);
  for (const [first, last] of runs(indexes)) {
    const start = first > 0 ? afterSameLineComments(text, commaAfter(first - 1)!) : list.pos;
    const own = commaAfter(last);
    if (own !== undefined && (last < list.length - 1 || list.hasTrailingComma)) {
      ranges.push({ start, end: afterSameLineComments(text, own) });
    } else if (first > 0) {
      ranges.push({ start: list[first - 1]!.end, end: commaAfter(first - 1)! });
      ranges.push({ start, end: afterSameLineComments(text, list[last]!.end) });
    } else {
      ranges.push({ start, end: list[last]!.end });
    }
  }
  return ranges;
}

/** Object patterns drop elements; array patterns leave holes, except at the end. */
function removePatternElements(
  text: string,
  sf: ts.SourceFile,
  pattern: ts.BindingPattern,
  indexes: Set<number>,
): Range[] {
  const elements = pattern.elements as ts.NodeArray<ts.ArrayBindingElement>;
  if (ts.isObjectBindingPattern(pattern)) return removeListElements(text, elements, indexes);
  let tail = elements.length;
  while (tail > 0 && (indexes.has(tail - 1) || ts.isOmittedExpression(elements[tail - 1]!))) tail--;
  const ranges: Range[] = [];
  const trailing = new Set<number>();
  for (let i = tail; i < elements.length; i++) trailing.add(i);
  if (trailing.size > 0 && tail > 0) {
    // `[a, b, c]` -> `[a]`: from the end of the last kept element to the end of the list.
    const end = elements.hasTrailingComma ? commaEnd(text, elements.at(-1)!.end)! : elements.at(-1)!.end;
    ranges.push({ start: elements[tail - 1]!.end, end });
  }
  for (const i of indexes) {
    if (i < tail) ranges.push({ start: elements[i]!.getStart(sf), end: elements[i]!.end });
  }
  return ranges;
}

/**
 * The range that removes a whole statement or class member. One alone on its lines takes
 * those lines, a trailing comment on its last line, and the JSDoc and directive comments
 * right above it (no blank line between); other comments above stay.
 */
function removeStatement(sf: ts.SourceFile, node: ts.Node): Range[] {
  const text = sf.text;
  const start = node.getStart(sf);
  const end = node.getEnd();
  const lineStart = lineStartOf(text, start);
  const afterComments = afterSameLineComments(text, end);
  const nextLine = nextLineStart(text, afterComments);
  const ownsStart = text.slice(lineStart, start).trim() === '';
  const ownsEnd = text.slice(afterComments, nextLine).trim() === '';
  if (ownsStart && ownsEnd) {
    let from = lineStart;
    const comments = ts.getLeadingCommentRanges(text, node.pos) ?? [];
    for (let i = comments.length - 1; i >= 0; i--) {
      const c = comments[i]!;
      const body = text.slice(c.pos, c.end);
      const between = text.slice(c.end, from);
      const ownLine = text.slice(lineStartOf(text, c.pos), c.pos).trim() === '';
      if (!ownLine || !/^[ \t]*\r?\n[ \t]*$/.test(between)) break;
      if (!body.startsWith('/**') && !DIRECTIVE_COMMENT.test(body)) break;
      from = lineStartOf(text, c.pos);
    }
    return [{ start: from, end: nextLine }];
  }
  if (ownsStart) {
    let to = end;
    while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
    return [{ start, end: to }];
  }
  let from = start;
  while (from > lineStart && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  return [{ start: from, end }];
}

/** The end of the comma after `pos`, skipping whitespace and comments; undefined if none. */
function commaEnd(text: string, pos: number): number | undefined {
  let i = pos;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) i++;
    else if (text.startsWith('//', i)) i = nextLineStart(text, i);
    else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else return ch === ',' ? i + 1 : undefined;
  }
  return undefined;
}

function runs(indexes: Set<number>): [number, number][] {
  const sorted = [...indexes].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}

function afterSameLineComments(text: string, pos: number): number {
  return ts.getTrailingCommentRanges(text, pos)?.at(-1)?.end ?? pos;
}

function lineStartOf(text: string, pos: number): number {
  return pos <= 0 ? 0 : text.lastIndexOf('\n', pos - 1) + 1;
}

function nextLineStart(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  return i === -1 ? text.length : i + 1;
}

function mergeRanges(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const last = out.at(-1);
    if (last && last.end >= r.start) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** Removed lines between two blank lines (or at the top of the file) take one blank line along. */
function collapseBlankLines(text: string, ranges: Range[]): Range[] {
  const isLineBoundary = (pos: number) => pos === 0 || pos === text.length || text[pos - 1] === '\n';
  const extended = ranges.map((r) => {
    if (!isLineBoundary(r.start) || !isLineBoundary(r.end) || r.end === text.length) return r;
    const prevBlank = r.start === 0 || text.slice(lineStartOf(text, r.start - 1), r.start).trim() === '';
    const nextEnd = nextLineStart(text, r.end);
    const nextBlank = text.slice(r.end, nextEnd).trim() === '';
    return prevBlank && nextBlank ? { start: r.start, end: nextEnd } : r;
  });
  return mergeRanges(extended);
}

function applyRanges(text: string, ranges: Range[]): string {
  let out = text;
  for (const r of [...ranges].sort((a, b) => b.start - a.start))
    out = out.slice(0, r.start) + out.slice(r.end);
  return out;
}

/** 1-based lines touched by the ranges; a range ending at a line start does not touch that line. */
function linesOf(sf: ts.SourceFile, ranges: Range[]): number[] {
  const lines = new Set<number>();
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  for (const r of ranges) {
    for (let l = lineOf(r.start); l <= lineOf(Math.max(r.start, r.end - 1)); l++) lines.add(l);
  }
  return [...lines].sort((a, b) => a - b);
}

function scriptKindOf(file: string): ts.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (file.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function hasParseErrors(file: string, text: string): boolean {
  const name = /\.[cm]?[jt]sx?$/.test(file) ? file : `${file}.ts`;
  const { diagnostics } = ts.transpileModule(text, {
    fileName: name,
    reportDiagnostics: true,
    compilerOptions: { jsx: ts.JsxEmit.Preserve, target: ts.ScriptTarget.ESNext },
  });
  return (diagnostics ?? []).some((d) => d.category === ts.DiagnosticCategory.Error);
}

/**
 * Whether evaluating an expression can do anything besides producing its value (a minimal
 * copy of apply's check): a call, `new`, `await`, an assignment, `++`, `delete`, a property
 * read (a getter), a spread (an iterator) and a tagged template all count.
 */
function hasSideEffects(expression: ts.Expression): boolean {
  let e = expression;
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isTypeAssertionExpression(e)
  ) {
    e = e.expression;
  }
  switch (e.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.RegularExpressionLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.ThisKeyword:
    case ts.SyntaxKind.Identifier:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      return false;
    case ts.SyntaxKind.TemplateExpression:
      return (e as ts.TemplateExpression).templateSpans.some((s) => hasSideEffects(s.expression));
    case ts.SyntaxKind.ArrayLiteralExpression:
      return (e as ts.ArrayLiteralExpression).elements.some(
        (el) => ts.isSpreadElement(el) || (!ts.isOmittedExpression(el) && hasSideEffects(el)),
      );
    case ts.SyntaxKind.ObjectLiteralExpression:
      return (e as ts.ObjectLiteralExpression).properties.some((p) => {
        if (p.name && ts.isComputedPropertyName(p.name) && hasSideEffects(p.name.expression)) return true;
        if (ts.isPropertyAssignment(p)) return hasSideEffects(p.initializer);
        return !(
          ts.isShorthandPropertyAssignment(p) ||
          ts.isMethodDeclaration(p) ||
          ts.isGetAccessorDeclaration(p) ||
          ts.isSetAccessorDeclaration(p)
        );
      });
    case ts.SyntaxKind.ConditionalExpression: {
      const c = e as ts.ConditionalExpression;
      return hasSideEffects(c.condition) || hasSideEffects(c.whenTrue) || hasSideEffects(c.whenFalse);
    }
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const u = e as ts.PrefixUnaryExpression;
      if (u.operator === ts.SyntaxKind.PlusPlusToken || u.operator === ts.SyntaxKind.MinusMinusToken)
        return true;
      return hasSideEffects(u.operand);
    }
    case ts.SyntaxKind.TypeOfExpression:
      return hasSideEffects((e as ts.TypeOfExpression).expression);
    case ts.SyntaxKind.VoidExpression:
      return hasSideEffects((e as ts.VoidExpression).expression);
    case ts.SyntaxKind.BinaryExpression: {
      const b = e as ts.BinaryExpression;
      const op = b.operatorToken.kind;
      if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return true;
      if (op === ts.SyntaxKind.InKeyword || op === ts.SyntaxKind.InstanceOfKeyword) return true;
      return hasSideEffects(b.left) || hasSideEffects(b.right);
    }
    default:
      return true;
  }
}
