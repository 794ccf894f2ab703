import { ts } from '@selfreview/shared/compiler';
import type { Candidate } from '@selfreview/shared/schemas';
import { hasSideEffects } from '@selfreview/shared/syntax';
import {
  declarationsOf,
  defer,
  drop,
  type JudgeContext,
  nearest,
  occurrences,
  type Verdict,
} from '../lib/judge.ts';
import { hasModifier } from '../lib/names.ts';
import { unusedOnPurpose } from '../lib/unused-on-purpose.ts';
import { CHANGE_TYPE, type UnusedLocalEvidence } from './schema.ts';

/**
 * An unused local is removed only when removing it cannot change what the program does
 * or what other code sees: no side effect in its initializer, no other write to it, no
 * declaration it merges with, no rest element whose contents it shapes.
 */
export function judge(candidate: Candidate, e: UnusedLocalEvidence, ctx: JudgeContext): Verdict {
  if (ctx.isGenerated) return drop('generated_file', `${candidate.file} is generated.`, 0.95);
  const sf = ctx.sourceFile;
  if (!sf) return drop('stale', `${candidate.file} no longer exists at the current head.`, 0.95);
  const declarations = declarationsOf(sf, e.name);
  const name = nearest(sf, declarations, candidate.line);
  if (!name) return drop('stale', `'${e.name}' is no longer declared in ${candidate.file}.`, 0.9);
  const declaration = name.parent;
  const subject = `'${e.name}'`;
  const onPurpose = unusedOnPurpose(candidate, name, declaration, ctx);
  if (onPurpose) return onPurpose;

  if (inAmbientContext(declaration)) {
    return drop(
      'module_augmentation',
      `${subject} is declared in an ambient or augmenting block; removing it changes declared types.`,
      0.9,
    );
  }
  if (declarations.length > 1 && mergesDeclarations(declaration)) {
    return drop(
      'declaration_merging',
      `${subject} merges with another declaration of the same name; removing one half changes the other.`,
      0.9,
    );
  }
  if (ts.isBindingElement(declaration)) {
    const pattern = declaration.parent;
    if (
      // Object rest: the property would move into the rest. Array rest: positions shift.
      pattern.elements.some((el) => ts.isBindingElement(el) && el.dotDotDotToken !== undefined)
    ) {
      return drop(
        'rest_sibling',
        `${subject} is destructured beside a rest element; removing it would put the property into the rest.`,
        0.9,
      );
    }
  }
  if (ts.isParameter(declaration)) {
    return defer(
      'parameter_property',
      `${subject} is a constructor parameter property; making it a plain parameter changes the class's shape.`,
      0.6,
    );
  }
  const initializer = initializerOf(declaration);
  if (initializer && hasSideEffects(initializer)) {
    return drop(
      'side_effect_initializer',
      `${subject}'s initializer (${e.initializer ?? 'an expression'}) may do something besides producing a value; removing it could change behaviour.`,
      0.9,
    );
  }
  if (
    ts.isClassDeclaration(declaration) &&
    (hasDecorators(declaration) || hasStaticInitializer(declaration))
  ) {
    return drop(
      'side_effect_initializer',
      `Class ${subject} runs decorators or static initializers when declared.`,
      0.85,
    );
  }
  if (ts.isModuleDeclaration(declaration) && !onlyTypes(declaration)) {
    return drop('side_effect_initializer', `Namespace ${subject} has runtime statements.`, 0.8);
  }
  // Written elsewhere (`let x; x = 1;`): the compiler says "never read", but removing the
  // declaration alone would leave the writes dangling.
  const others = occurrences(sf, e.name) - declarations.length;
  if (others > 0 && (ts.isVariableDeclaration(declaration) || ts.isBindingElement(declaration))) {
    return drop(
      'still_referenced',
      `${subject} is still written or mentioned ${others} time(s) in ${candidate.file}; removing the declaration alone would break it.`,
      0.85,
    );
  }
  const isPrivateMember = e.declarationKind === 'private-member';
  const confidence = isPrivateMember ? 0.8 : e.destructured ? 0.8 : 0.9;
  return {
    verdict: 'fix',
    reason: 'unused_local',
    detail: `The ${e.declarationKind.replace('-', ' ')} ${subject} is never used and removing it has no side effect.`,
    confidence,
    changeType: CHANGE_TYPE,
  };
}

function initializerOf(declaration: ts.Node): ts.Expression | undefined {
  let node: ts.Node = declaration;
  while (ts.isBindingElement(node) || ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node))
    node = node.parent;
  if (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) return node.initializer;
  return undefined;
}

function inAmbientContext(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (hasModifier(n, ts.SyntaxKind.DeclareKeyword)) return true;
    if (ts.isModuleDeclaration(n) && (ts.isStringLiteral(n.name) || n.name.text === 'global')) return true;
  }
  return false;
}

function mergesDeclarations(declaration: ts.Node): boolean {
  return (
    ts.isInterfaceDeclaration(declaration) ||
    ts.isClassDeclaration(declaration) ||
    ts.isModuleDeclaration(declaration) ||
    ts.isEnumDeclaration(declaration) ||
    ts.isFunctionDeclaration(declaration)
  );
}

function hasDecorators(node: ts.ClassDeclaration): boolean {
  return (
    (ts.getDecorators(node)?.length ?? 0) > 0 ||
    node.members.some((m) => (ts.canHaveDecorators(m) ? ts.getDecorators(m)?.length : 0))
  );
}

function hasStaticInitializer(node: ts.ClassDeclaration): boolean {
  return node.members.some(
    (m) =>
      ts.isClassStaticBlockDeclaration(m) ||
      (ts.isPropertyDeclaration(m) &&
        hasModifier(m, ts.SyntaxKind.StaticKeyword) &&
        m.initializer !== undefined &&
        hasSideEffects(m.initializer)),
  );
}

function onlyTypes(node: ts.ModuleDeclaration): boolean {
  const body = node.body;
  if (!body || !ts.isModuleBlock(body)) return true;
  return body.statements.every((s) => ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s));
}
