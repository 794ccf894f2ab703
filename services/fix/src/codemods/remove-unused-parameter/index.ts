import type { FixItem, UnusedParameterEvidence } from '@selfreview/shared/schemas';
import { ts } from 'ts-morph';
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
    scriptKindOf(input.file),
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

interface Range {
  start: number;
  end: number;
}

function toEdits(ranges: Range[]): Edit[] {
  return ranges.map((r) => ({ ...r, insert: '' }));
}

/** The end of the `token` character after `pos`, skipping whitespace and comments. */
function tokenEnd(text: string, pos: number, token: string): number | undefined {
  let i = pos;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) i++;
    else if (text.startsWith('//', i)) i = nextLineStart(text, i);
    else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else return ch === token ? i + 1 : undefined;
  }
  return undefined;
}

function commaEnd(text: string, pos: number): number | undefined {
  return tokenEnd(text, pos, ',');
}

function nextLineStart(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  return i === -1 ? text.length : i + 1;
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

/** 1-based lines touched; a removal ending at a line start does not touch that line. */
function linesOf(sf: ts.SourceFile, edits: Edit[]): number[] {
  const lines = new Set<number>();
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  for (const e of edits) {
    for (let l = lineOf(e.start); l <= lineOf(Math.max(e.start, e.end - 1)); l++) lines.add(l);
  }
  return [...lines].sort((a, b) => a - b);
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
