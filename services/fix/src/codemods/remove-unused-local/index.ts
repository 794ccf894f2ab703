import type { FixItem, UnusedLocalEvidence } from '@selfreview/shared/schemas';
import { hasSideEffects } from '@selfreview/shared/syntax';
import { ts } from 'ts-morph';
import {
  afterSameLineComments,
  applyRanges,
  collapseBlankLines,
  hasParseErrors,
  lineStartOf,
  linesOf,
  mergeRanges,
  nextLineStart,
  type Range,
  removeListElements,
  removePatternElements,
  scriptKindFor,
} from '../edits.ts';
import { isNameReference } from '../references.ts';
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
    scriptKindFor(input.file),
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
 * A use of the name, as the codemods answer it (`isNameReference`), except where this question
 * differs: a same-named variable, parameter or import binding elsewhere declares the name
 * rather than using it, and an `import x = …` alias of the same name counts as a use (keep).
 */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isBindingElement(p) && p.name === id) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p)) && p.name === id) return false;
  if (ts.isImportSpecifier(p)) return false;
  if (ts.isImportEqualsDeclaration(p) && p.name === id) return true;
  return isNameReference(id);
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
