import { ts } from '@selfreview/shared/compiler';
import { hasSideEffects } from '@selfreview/shared/syntax';
import {
  applyRanges,
  collapseBlankLines,
  DIRECTIVES,
  hasParseErrors,
  lineStartOf,
  linesOf,
  mergeRanges,
  parseForEdit,
  type Range,
  removeListElements,
  removePatternElements,
  statementRemoval,
  withoutBom,
} from '../lib/edits.ts';
import {
  type Codemod,
  type CodemodInput,
  type CodemodResult,
  itemEvidence,
  skipList,
  unparsable,
} from '../lib/fix.ts';
import { CHANGE_TYPE, UnusedLocalEvidence } from './schema.ts';
import {
  collectIdentifiers,
  findTarget,
  keepReason,
  type RemoveUnusedLocalSkipReason,
  rootDeclaration,
  type Target,
} from './targets.ts';

export type { RemoveUnusedLocalSkipReason } from './targets.ts';

const DIRECTIVE_COMMENT = new RegExp(String.raw`^(?://\s*(?:${DIRECTIVES})\b|/\*\s*(?:${DIRECTIVES})\b)`);

export const removeUnusedLocal: Codemod = {
  changeType: CHANGE_TYPE,
  description:
    'Remove unused local variables, destructured names, functions, classes, types, enums and private members.',
  apply: applyRemoveUnusedLocal,
};

export function applyRemoveUnusedLocal(input: CodemodInput): CodemodResult {
  const applied: string[] = [];
  const { skipped, skip } = skipList<RemoveUnusedLocalSkipReason>();
  const { bom, text } = withoutBom(input.text);
  if (hasParseErrors(input.file, text)) return unparsable(input);
  const sf = parseForEdit(input.file, text);

  // Every lookup runs against the original tree; edits are ranges of the original text.
  const identifiers = collectIdentifiers(sf);
  const claimed = new Set<ts.Node>();
  const declarators = new Map<ts.VariableDeclaration, { ids: string[]; elements: Set<ts.BindingElement> }>();
  const removals: { id: string; target: Target }[] = [];

  for (const item of input.items) {
    const id = item.candidate.id;
    const evidence = itemEvidence(UnusedLocalEvidence, CHANGE_TYPE, item, input.file);
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
    const reason = keepReason(target, identifiers);
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
  if (out !== text && hasParseErrors(input.file, out)) return unparsable(input);
  return { text: bom + out, linesAffected: linesOf(sf, final), applied, skipped };
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

/**
 * The range that removes a whole statement or class member: see `statementRemoval`. The JSDoc
 * and directive comments right above it (no blank line between) go with it; other comments stay.
 */
function removeStatement(sf: ts.SourceFile, node: ts.Node): Range[] {
  const text = sf.text;
  const { range } = statementRemoval(text, node.getStart(sf), node.getEnd(), (lineStart) => {
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
    return from;
  });
  return [range];
}
