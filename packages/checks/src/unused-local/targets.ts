/**
 * What the unused-local codemod removes: the declaration an item speaks of (found again by
 * name, kind and nearest line) and whether anything in the file says it must stay. Pure.
 */
import { ts } from '@selfreview/shared/compiler';
import { hasSideEffects } from '@selfreview/shared/syntax';
import { isNameReference, linkedNames } from '../lib/references.ts';
import { bindingRoot } from '../lib/semantic.ts';
import type { UnusedLocalEvidence } from './schema.ts';

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

export type Target =
  /** A variable declarator with a plain identifier name. */
  | { kind: 'declarator'; node: ts.VariableDeclaration }
  /** One element of a destructuring pattern of a variable declaration. */
  | { kind: 'element'; node: ts.BindingElement }
  /** A function, class, interface, type alias or enum declaration. */
  | { kind: 'statement'; node: ts.Statement }
  /** A private class member. */
  | { kind: 'member'; node: ts.ClassElement };

/** The declaration of `name` of the evidence's kind whose name is nearest to `line`. */
export function findTarget(
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

export function keepReason(
  target: Target,
  identifiers: Identifiers,
): RemoveUnusedLocalSkipReason | undefined {
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

export /** The variable declaration a (possibly nested) destructured name belongs to. */
function rootDeclaration(el: ts.BindingElement): ts.VariableDeclaration {
  return bindingRoot(el) as ts.VariableDeclaration;
}

export interface Identifiers {
  /** Identifiers in reference positions, by name. */
  references: Map<string, ts.Node[]>;
  /** Every identifier and private identifier, by text. */
  any: Map<string, ts.Node[]>;
  /** Names linked from comments with `{@link name}`. */
  links: Set<string>;
  /** The values of string literals (for `this['name']`). */
  strings: Set<string>;
}

export function collectIdentifiers(sf: ts.SourceFile): Identifiers {
  const result: Identifiers = { references: new Map(), any: new Map(), links: new Set(), strings: new Set() };
  for (const name of linkedNames(sf.text)) result.links.add(name);
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
