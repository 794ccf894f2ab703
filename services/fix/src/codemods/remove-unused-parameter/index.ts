import type { FixItem, UnusedParameterEvidence } from '@selfreview/shared/schemas';
import { hasSideEffects } from '@selfreview/shared/syntax';
import { ts } from 'ts-morph';
import {
  hasParseErrors,
  linesOf,
  type Range,
  removeListElements,
  removePatternElements,
  scriptKindFor,
  tokenEnd,
} from '../edits.ts';
import type { Codemod, CodemodInput, CodemodResult, CodemodSkip } from '../types.ts';

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

type Owner =
  | ts.SignatureDeclaration
  | ts.ClassLikeDeclaration
  | ts.InterfaceDeclaration
  | ts.TypeAliasDeclaration;

type Target =
  | { kind: 'parameter'; owner: Owner; node: ts.ParameterDeclaration }
  | { kind: 'type-parameter'; owner: Owner; node: ts.TypeParameterDeclaration }
  | { kind: 'element'; owner: Owner; node: ts.BindingElement };

interface Edit {
  start: number;
  end: number;
  insert: string;
}

const BOM = '\uFEFF';

export const removeUnusedParameter: Codemod = {
  changeType: 'remove_unused_parameter',
  description:
    'Remove an unused last parameter (and the matching argument of every call in the file); prefix other unused parameters with `_`.',
  apply: applyRemoveUnusedParameter,
};

export function applyRemoveUnusedParameter(input: CodemodInput): CodemodResult {
  const skipped: CodemodSkip[] = [];
  const reasons = new Map<string, RemoveUnusedParameterSkipReason>();
  const skip = (candidateId: string, reason: RemoveUnusedParameterSkipReason): void => {
    reasons.set(candidateId, reason);
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
  const identifiers = collectIdentifiers(sf);

  // Targets grouped by the list they belong to: a parameter list, a type parameter list or a pattern.
  const claimed = new Set<ts.Node>();
  const lists = new Map<readonly ts.Node[], { target: Target; byIndex: Map<number, string> }>();
  for (const item of input.items) {
    const id = item.candidate.id;
    const evidence = unusedParameterEvidence(item, input.file);
    if (!evidence) {
      skip(id, 'unsupported_item');
      continue;
    }
    const target = findTarget(sf, evidence, item.candidate.line);
    if (!target) {
      skip(id, 'not_found');
      continue;
    }
    if (claimed.has(target.node)) {
      skip(id, 'duplicate');
      continue;
    }
    claimed.add(target.node);
    const param = target.kind === 'element' ? bindingRoot(target.node) : target.node;
    if (ts.isParameter(param) && ts.getModifiers(param)?.length) {
      skip(id, 'parameter_property');
      continue;
    }
    const list = listOf(target);
    let group = lists.get(list);
    if (!group) {
      group = { target, byIndex: new Map() };
      lists.set(list, group);
    }
    group.byIndex.set(list.indexOf(target.node), id);
  }

  const edits: Edit[] = [];
  for (const { target, byIndex } of lists.values()) {
    const group = { owner: target.owner, byIndex };
    if (target.kind === 'element') edits.push(...planPattern(text, sf, target.node.parent, byIndex, skip));
    else if (target.kind === 'type-parameter')
      edits.push(...planTypeParameters(text, sf, group, identifiers, skip));
    else edits.push(...planParameters(text, sf, group, identifiers, skip));
  }

  const out = applyEdits(text, edits);
  if (out !== text && hasParseErrors(input.file, out)) return unchanged();
  const applied: string[] = [];
  for (const item of input.items) {
    const reason = reasons.get(item.candidate.id);
    if (reason) skipped.push({ candidateId: item.candidate.id, reason });
    else applied.push(item.candidate.id);
  }
  return { text: bom + out, linesAffected: linesOf(sf, edits), applied, skipped };
}

type Skip = (candidateId: string, reason: RemoveUnusedParameterSkipReason) => void;

function unusedParameterEvidence(item: FixItem, file: string): UnusedParameterEvidence | undefined {
  const { evidence } = item.candidate;
  if (item.changeType !== 'remove_unused_parameter' || evidence.kind !== 'unused-parameter') return undefined;
  if (item.candidate.file !== file) return undefined;
  return evidence;
}

function listOf(target: Target): readonly ts.Node[] {
  if (target.kind === 'element') return target.node.parent.elements;
  if (target.kind === 'type-parameter')
    return (target.owner as { typeParameters: readonly ts.Node[] }).typeParameters;
  return (target.owner as ts.SignatureDeclaration).parameters;
}

/** The name a function, class, interface or type alias goes by, as scan names it. */
function ownerName(node: ts.Node): string | undefined {
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return node.name.text;
  if (ts.isClassLike(node)) return node.name ? node.name.getText() : '<anonymous>';
  if (!ts.isFunctionLike(node) || ts.isFunctionTypeNode(node) || ts.isCallSignatureDeclaration(node))
    return undefined;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const own = (node as { name?: ts.Node }).name;
  if (own) return own.getText();
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText();
  }
  return '<anonymous>';
}

function findTarget(sf: ts.SourceFile, ev: UnusedParameterEvidence, line: number): Target | undefined {
  const found: Target[] = [];
  const visit = (node: ts.Node): void => {
    if (ownerName(node) === ev.functionName) {
      const owner = node as Owner;
      if (ev.typeParameter) {
        for (const tp of owner.typeParameters ?? []) {
          if (tp.name.text === ev.name) found.push({ kind: 'type-parameter', owner, node: tp });
        }
      } else if (ts.isFunctionLike(owner)) {
        for (const p of owner.parameters) {
          if (ts.isIdentifier(p.name)) {
            if (!ev.destructured && p.name.text === ev.name)
              found.push({ kind: 'parameter', owner, node: p });
          } else if (ev.destructured) {
            const walk = (n: ts.Node): void => {
              if (ts.isBindingElement(n) && ts.isIdentifier(n.name) && n.name.text === ev.name) {
                found.push({ kind: 'element', owner, node: n });
              }
              ts.forEachChild(n, walk);
            };
            walk(p.name);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  let best: { target: Target; distance: number } | undefined;
  for (const target of found) {
    const l = sf.getLineAndCharacterOfPosition(target.node.name.getStart(sf)).line + 1;
    const distance = Math.abs(l - line);
    if (!best || distance < best.distance) best = { target, distance };
  }
  return best?.target;
}

function bindingRoot(el: ts.BindingElement): ts.Node {
  let n: ts.Node = el;
  while (ts.isBindingElement(n) || ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) n = n.parent;
  return n;
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

function planParameters(
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

function planTypeParameters(
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

function planPattern(
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

interface Identifiers {
  /** Every identifier, by text. */
  any: Map<string, ts.Identifier[]>;
  /** Names given explicit type arguments: `f<T>()`, `new C<T>()`, `Box<T>`, `o.m<T>()`. */
  typeArgumentTargets: Set<string>;
}

function collectIdentifiers(sf: ts.SourceFile): Identifiers {
  const result: Identifiers = { any: new Map(), typeArgumentTargets: new Set() };
  const lastName = (n: ts.Node | undefined): string | undefined => {
    if (!n) return undefined;
    if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) return n.text;
    if (ts.isPropertyAccessExpression(n)) return n.name.text;
    if (ts.isQualifiedName(n)) return n.right.text;
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const list = result.any.get(node.text);
      if (list) list.push(node);
      else result.any.set(node.text, [node]);
    }
    const typeArgs = (node as { typeArguments?: ts.NodeArray<ts.TypeNode> }).typeArguments;
    if (typeArgs && typeArgs.length > 0 && !ts.isTypeParameterDeclaration(node)) {
      const n = node as { expression?: ts.Node; typeName?: ts.Node; tagName?: ts.Node; tag?: ts.Node };
      const name = lastName(n.expression ?? n.typeName ?? n.tagName ?? n.tag);
      if (name) result.typeArgumentTargets.add(name);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return result;
}

function toEdits(ranges: Range[]): Edit[] {
  return ranges.map((r) => ({ ...r, insert: '' }));
}

/** Applies the edits from the end; overlapping removals are merged into one. */
function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Edit[] = [];
  for (const e of sorted) {
    const last = merged.at(-1);
    if (last && e.start < last.end) {
      last.end = Math.max(last.end, e.end);
      last.insert += e.insert;
    } else merged.push({ ...e });
  }
  let out = text;
  for (const e of merged.reverse()) out = out.slice(0, e.start) + e.insert + out.slice(e.end);
  return out;
}
