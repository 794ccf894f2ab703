/**
 * How the unused-parameter codemod changes one list: a parameter list (the unused tail goes,
 * with the matching arguments of every call in the file; earlier ones get a `_` prefix), a
 * type parameter list, or a destructuring pattern. Pure: edits of the original text.
 */
import { ts } from '@selfreview/shared/compiler';
import { hasSideEffects } from '@selfreview/shared/syntax';
import { type Range, removeListElements, removePatternElements, tokenEnd } from '../lib/edits.ts';
import { ownerName } from '../lib/semantic.ts';

export type RemoveUnusedParameterSkipReason =
  /** No parameter of that name in a function of that name any more. */
  | 'not_found'
  /** The last parameter would go, but not every caller can be seen and updated in this file. */
  | 'callers_unknown'
  /** A caller passes an argument that may do something; dropping it would drop that too. */
  | 'side_effect_argument'
  /** The parameter's (or element's) default value may do something. */
  | 'side_effect'
  /** The function reads `arguments`, so the number of arguments matters. */
  | 'uses_arguments'
  /** A type parameter that would go is passed explicitly somewhere in the file. */
  | 'explicit_type_arguments'
  /** Removing the element would leave an empty pattern. */
  | 'destructured_only_element'
  /** An object rest sibling (`{ a, ...rest }`): removing `a` would change `rest`. */
  | 'rest_sibling'
  /** A constructor parameter property declares a class member. */
  | 'parameter_property'
  /** `_name` is already used in the file: prefixing could collide. */
  | 'name_conflict'
  /** Another item already handles the same parameter. */
  | 'duplicate'
  /** The item is not an unused-parameter candidate for this file. */
  | 'unsupported_item'
  /** The input, or the output, does not parse. */
  | 'parse_error';

export type Owner =
  | ts.SignatureDeclaration
  | ts.ClassLikeDeclaration
  | ts.InterfaceDeclaration
  | ts.TypeAliasDeclaration;

export interface Edit {
  start: number;
  end: number;
  insert: string;
}

export type Skip = (candidateId: string, reason: RemoveUnusedParameterSkipReason) => void;

export interface Identifiers {
  /** Every identifier, by text. */
  any: Map<string, ts.Identifier[]>;
  /** Names given explicit type arguments: `f<T>()`, `new C<T>()`, `Box<T>`, `o.m<T>()`. */
  typeArgumentTargets: Set<string>;
}

/** The indexes at the end of a list of `length` that are all in `indexes`. */
function trailing(length: number, indexes: Iterable<number>): Set<number> {
  const set = new Set(indexes);
  const out = new Set<number>();
  for (let i = length - 1; i >= 0 && set.has(i); i--) out.add(i);
  return out;
}

/** `name` -> `_name` for the items not at the end; fails on a name already in the file. */
function renames(
  sf: ts.SourceFile,
  list: readonly (ts.ParameterDeclaration | ts.TypeParameterDeclaration)[],
  byIndex: Map<number, string>,
  keep: Set<number>,
  identifiers: Identifiers,
  skip: Skip,
): Edit[] {
  const edits: Edit[] = [];
  for (const [index, id] of byIndex) {
    if (keep.has(index)) continue;
    const name = list[index]!.name as ts.Identifier;
    if (identifiers.any.has(`_${name.text}`)) {
      skip(id, 'name_conflict');
      continue;
    }
    const start = name.getStart(sf);
    edits.push({ start, end: start, insert: '_' });
  }
  return edits;
}

export function planParameters(
  text: string,
  sf: ts.SourceFile,
  group: { owner: Owner; byIndex: Map<number, string> },
  identifiers: Identifiers,
  skip: Skip,
): Edit[] {
  const owner = group.owner as ts.SignatureDeclaration;
  const params = owner.parameters;
  const tail = trailing(params.length, group.byIndex.keys());
  const edits = renames(sf, params, group.byIndex, tail, identifiers, skip);
  if (tail.size === 0) return edits;
  // When the tail cannot go, only its last parameter is skipped: the others keep their
  // positions with a prefix, as if they had never been at the end.
  const fail = (reason: RemoveUnusedParameterSkipReason): Edit[] => {
    const last = params.length - 1;
    skip(group.byIndex.get(last)!, reason);
    const others = new Map([...group.byIndex].filter(([i]) => tail.has(i) && i !== last));
    return [...edits, ...renames(sf, params, others, new Set(), identifiers, skip)];
  };
  const first = Math.min(...tail);
  for (const i of tail) {
    const init = params[i]!.initializer;
    if (init && hasSideEffects(init)) return fail('side_effect');
  }
  const nameNode = plainName(owner);
  if (!nameNode) return fail('callers_unknown');
  if (!ts.isArrowFunction(owner) && usesArguments(owner)) return fail('uses_arguments');
  const calls: ts.CallExpression[] = [];
  for (const id of identifiers.any.get(nameNode.text) ?? []) {
    if (id === nameNode) continue;
    const call = id.parent;
    if (!ts.isCallExpression(call) || call.expression !== id) return fail('callers_unknown');
    calls.push(call);
  }
  const rest = params.at(-1)?.dotDotDotToken !== undefined;
  const argEdits: Edit[] = [];
  for (const call of calls) {
    const args = call.arguments;
    if (args.some((a) => ts.isSpreadElement(a))) return fail('callers_unknown');
    if (args.length > params.length && !rest) return fail('callers_unknown');
    const drop = new Set<number>();
    for (let i = first; i < args.length; i++) {
      if (hasSideEffects(args[i]!)) return fail('side_effect_argument');
      drop.add(i);
    }
    if (drop.size > 0) argEdits.push(...toEdits(removeListElements(text, args, drop)));
  }
  edits.push(...toEdits(removeListElements(text, params, tail)), ...argEdits);
  return edits;
}

/** The identifier callers use: a named function declaration's, or a `const f = () => ...`'s. */
function plainName(owner: ts.SignatureDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(owner)) return owner.name && owner.body ? owner.name : undefined;
  if ((ts.isArrowFunction(owner) || (ts.isFunctionExpression(owner) && !owner.name)) && owner.parent) {
    const decl = owner.parent;
    if (ts.isVariableDeclaration(decl) && decl.initializer === owner && ts.isIdentifier(decl.name))
      return decl.name;
  }
  return undefined;
}

function usesArguments(owner: ts.SignatureDeclaration): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === 'arguments') found = true;
    // A nested non-arrow function has its own `arguments`.
    else if (!(ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n))) {
      ts.forEachChild(n, visit);
    }
  };
  const body = (owner as { body?: ts.Node }).body;
  if (body) visit(body);
  return found;
}

export function planTypeParameters(
  text: string,
  sf: ts.SourceFile,
  group: { owner: Owner; byIndex: Map<number, string> },
  identifiers: Identifiers,
  skip: Skip,
): Edit[] {
  const list = group.owner.typeParameters!;
  const tail = trailing(list.length, group.byIndex.keys());
  const edits = renames(sf, list, group.byIndex, tail, identifiers, skip);
  if (tail.size === 0) return edits;
  const name = ownerName(group.owner);
  if (name && name !== '<anonymous>' && identifiers.typeArgumentTargets.has(name)) {
    for (const i of tail) skip(group.byIndex.get(i)!, 'explicit_type_arguments');
    return edits;
  }
  if (tail.size === list.length) {
    // `<T>` goes as a whole: from `<` to `>`.
    const close = tokenEnd(text, list.end, '>');
    if (close === undefined) {
      for (const i of tail) skip(group.byIndex.get(i)!, 'not_found');
      return edits;
    }
    edits.push({ start: list.pos - 1, end: close, insert: '' });
    return edits;
  }
  edits.push(...toEdits(removeListElements(text, list, tail)));
  return edits;
}

export function planPattern(
  text: string,
  sf: ts.SourceFile,
  pattern: ts.BindingPattern,
  byIndex: Map<number, string>,
  skip: Skip,
): Edit[] {
  const elements = pattern.elements as ts.NodeArray<ts.ArrayBindingElement>;
  const ok = new Set<number>();
  for (const [index, id] of byIndex) {
    const el = elements[index] as ts.BindingElement;
    if (el.dotDotDotToken) skip(id, 'rest_sibling');
    else if (ts.isObjectBindingPattern(pattern) && pattern.elements.some((e) => e.dotDotDotToken))
      skip(id, 'rest_sibling');
    else if (el.initializer && hasSideEffects(el.initializer)) skip(id, 'side_effect');
    else if (
      el.propertyName &&
      ts.isComputedPropertyName(el.propertyName) &&
      hasSideEffects(el.propertyName.expression)
    ) {
      skip(id, 'side_effect');
    } else ok.add(index);
  }
  const emptied = elements.every((e, i) => ts.isOmittedExpression(e) || ok.has(i));
  if (emptied) {
    for (const i of ok) skip(byIndex.get(i)!, 'destructured_only_element');
    return [];
  }
  return ok.size === 0 ? [] : toEdits(removePatternElements(text, sf, pattern, ok));
}

function toEdits(ranges: Range[]): Edit[] {
  return ranges.map((r) => ({ ...r, insert: '' }));
}
