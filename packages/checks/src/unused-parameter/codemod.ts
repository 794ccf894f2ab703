import { ts } from '@selfreview/shared/compiler';
import { hasParseErrors, linesOf, parseForEdit, withoutBom } from '../lib/edits.ts';
import {
  type Codemod,
  type CodemodInput,
  type CodemodResult,
  type CodemodSkip,
  itemEvidence,
  unparsable,
} from '../lib/fix.ts';
import { bindingRoot, ownerName } from '../lib/semantic.ts';
import {
  type Edit,
  type Identifiers,
  type Owner,
  planParameters,
  planPattern,
  planTypeParameters,
  type RemoveUnusedParameterSkipReason,
} from './plans.ts';
import { CHANGE_TYPE, UnusedParameterEvidence } from './schema.ts';

export type { RemoveUnusedParameterSkipReason } from './plans.ts';

type Target =
  | { kind: 'parameter'; owner: Owner; node: ts.ParameterDeclaration }
  | { kind: 'type-parameter'; owner: Owner; node: ts.TypeParameterDeclaration }
  | { kind: 'element'; owner: Owner; node: ts.BindingElement };

export const removeUnusedParameter: Codemod = {
  changeType: CHANGE_TYPE,
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
  const { bom, text } = withoutBom(input.text);
  if (hasParseErrors(input.file, text)) return unparsable(input);
  const sf = parseForEdit(input.file, text);
  const identifiers = collectIdentifiers(sf);

  // Targets grouped by the list they belong to: a parameter list, a type parameter list or a pattern.
  const claimed = new Set<ts.Node>();
  const lists = new Map<readonly ts.Node[], { target: Target; byIndex: Map<number, string> }>();
  for (const item of input.items) {
    const id = item.candidate.id;
    const evidence = itemEvidence(UnusedParameterEvidence, CHANGE_TYPE, item, input.file);
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
  if (out !== text && hasParseErrors(input.file, out)) return unparsable(input);
  const applied: string[] = [];
  for (const item of input.items) {
    const reason = reasons.get(item.candidate.id);
    if (reason) skipped.push({ candidateId: item.candidate.id, reason });
    else applied.push(item.candidate.id);
  }
  return { text: bom + out, linesAffected: linesOf(sf, edits), applied, skipped };
}

function listOf(target: Target): readonly ts.Node[] {
  if (target.kind === 'element') return target.node.parent.elements;
  if (target.kind === 'type-parameter')
    return (target.owner as { typeParameters: readonly ts.Node[] }).typeParameters;
  return (target.owner as ts.SignatureDeclaration).parameters;
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
