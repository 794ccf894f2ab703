import { ts } from '@selfreview/shared/compiler';
import type { Candidate } from '@selfreview/shared/schemas';
import { declarationsOf, drop, isExported, type JudgeContext, nearest, type Verdict } from '../lib/judge.ts';
import { hasModifier } from '../lib/names.ts';
import { unusedOnPurpose } from '../lib/unused-on-purpose.ts';
import { CHANGE_TYPE, type UnusedParameterEvidence } from './schema.ts';

/**
 * An unused parameter is changed (removed, or `_`-prefixed where later ones are used)
 * only where nothing depends on its position: not in a method that overrides or
 * implements another, not in a callback whose caller passes arguments by position, not in
 * a setter or an overload implementation, not in a function other modules can call.
 */
export function judge(candidate: Candidate, e: UnusedParameterEvidence, ctx: JudgeContext): Verdict {
  if (ctx.isGenerated) return drop('generated_file', `${candidate.file} is generated.`, 0.95);
  const sf = ctx.sourceFile;
  if (!sf) return drop('stale', `${candidate.file} no longer exists at the current head.`, 0.95);
  const name = nearest(
    sf,
    declarationsOf(sf, e.name).filter((n) => isParameterName(n, e.typeParameter)),
    candidate.line,
  );
  if (!name) return drop('stale', `'${e.name}' is no longer a parameter in ${candidate.file}.`, 0.9);
  const owner = ownerOf(name, e.typeParameter);
  if (!owner) return drop('stale', `The function of '${e.name}' was not found at head.`, 0.8);
  const subject = `${e.typeParameter ? 'type parameter' : 'parameter'} '${e.name}' of '${e.functionName}'`;
  const onPurpose = unusedOnPurpose(candidate, name, name.parent, ctx);
  if (onPurpose) return onPurpose;

  if (ts.isSetAccessorDeclaration(owner)) {
    return drop('required_by_syntax', `A setter must declare its parameter; ${subject} stays.`, 0.95);
  }
  if (isOverloadImplementation(owner)) {
    return drop(
      'overload_implementation',
      `${subject} belongs to an overloaded function whose signatures fix the positions.`,
      0.9,
    );
  }
  if (ts.isClassElement(owner) || ts.isConstructorDeclaration(owner)) {
    const cls = owner.parent;
    if (
      hasModifier(owner, ts.SyntaxKind.OverrideKeyword) ||
      (ts.isClassLike(cls) && (cls.heritageClauses?.length ?? 0) > 0)
    ) {
      return drop(
        'overriding_method',
        `${subject} belongs to a method of a class that extends or implements another; its signature must match.`,
        0.9,
      );
    }
    if (hasModifier(owner, ts.SyntaxKind.AbstractKeyword)) {
      return drop(
        'overriding_method',
        `${subject} belongs to an abstract method that others implement.`,
        0.9,
      );
    }
    if (
      ts.isClassLike(cls) &&
      cls.name &&
      isExported(sf, cls, cls.name.text) &&
      !hasModifier(owner, ts.SyntaxKind.PrivateKeyword)
    ) {
      return drop(
        'public_api',
        `${subject} is part of exported class '${cls.name.text}'; callers in other modules pass it by position.`,
        0.85,
      );
    }
  }
  if (
    ts.isObjectLiteralExpression(owner.parent) ||
    (ts.isMethodDeclaration(owner) && ts.isObjectLiteralExpression(owner.parent))
  ) {
    return drop(
      'callback_position',
      `${subject} is a method of an object literal whose caller decides the arguments.`,
      0.85,
    );
  }
  const list: readonly ts.Node[] = e.typeParameter ? (owner.typeParameters ?? []) : owner.parameters;
  const declaration = e.typeParameter ? name.parent : rootParameter(name);
  const isLast = list.indexOf(declaration) === list.length - 1;
  if ((ts.isArrowFunction(owner) || ts.isFunctionExpression(owner)) && isPassedAway(owner)) {
    if (!isLast || e.typeParameter) {
      return drop(
        'callback_position',
        `${subject} is a callback's parameter before others; the caller passes arguments by position.`,
        0.9,
      );
    }
  }
  const ownerName = (ts.isFunctionDeclaration(owner) && owner.name?.text) || variableNameOf(owner);
  const topLevel = topLevelDeclaration(owner);
  if (ownerName && topLevel && isExported(sf, topLevel, ownerName)) {
    const importers = ctx.importersOf(ownerName);
    return drop(
      'public_api',
      importers.length > 0
        ? `${subject}: '${ownerName}' is exported and called from ${importers.length} other module(s) (${importers.slice(0, 3).join(', ')}); the change would spread.`
        : `${subject}: '${ownerName}' is exported; callers outside this file (or this repository) pass it by position.`,
      0.85,
    );
  }
  return {
    verdict: 'fix',
    reason: 'unused_parameter',
    detail: isLast
      ? `The ${subject} is never used and nothing depends on its position; remove it.`
      : `The ${subject} is never used; later parameters keep their positions, so prefix it with '_'.`,
    confidence: e.typeParameter || e.destructured ? 0.75 : 0.85,
    changeType: CHANGE_TYPE,
  };
}

function isParameterName(name: ts.Identifier, typeParameter: boolean): boolean {
  if (typeParameter) return ts.isTypeParameterDeclaration(name.parent);
  let node: ts.Node = name.parent;
  while (ts.isBindingElement(node) || ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node))
    node = node.parent;
  return ts.isParameter(node);
}

function rootParameter(name: ts.Identifier): ts.Node {
  let node: ts.Node = name.parent;
  while (!ts.isParameter(node) && node.parent) node = node.parent;
  return node;
}

function ownerOf(name: ts.Identifier, typeParameter: boolean): ts.SignatureDeclaration | undefined {
  const start = typeParameter ? name.parent.parent : rootParameter(name).parent;
  return start && ts.isFunctionLike(start) ? start : undefined;
}

function isOverloadImplementation(fn: ts.SignatureDeclaration): boolean {
  if (!ts.isFunctionDeclaration(fn) && !ts.isMethodDeclaration(fn)) return false;
  const name = fn.name?.getText();
  const siblings: readonly ts.Node[] = ts.isFunctionDeclaration(fn)
    ? ((fn.parent as ts.SourceFile | ts.Block).statements ?? [])
    : ((fn.parent as ts.ClassDeclaration).members ?? []);
  return siblings.some(
    (s) =>
      s !== fn &&
      (ts.isFunctionDeclaration(s) || ts.isMethodDeclaration(s)) &&
      s.body === undefined &&
      s.name?.getText() === name,
  );
}

/** Whether a function expression is handed to someone else (an argument, a property, a JSX prop, a return value). */
function isPassedAway(fn: ts.Node): boolean {
  let node = fn;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  return (
    ts.isCallExpression(parent) ||
    ts.isNewExpression(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isJsxExpression(parent) ||
    ts.isReturnStatement(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) ||
    (ts.isVariableDeclaration(parent) && parent.type !== undefined)
  );
}

function variableNameOf(fn: ts.Node): string | undefined {
  const parent = fn.parent;
  return parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)
    ? parent.name.text
    : undefined;
}

/** The function's own top-level declaration (a function, or a variable holding it); undefined when nested. */
function topLevelDeclaration(fn: ts.Node): ts.Node | undefined {
  if (ts.isFunctionDeclaration(fn)) return ts.isSourceFile(fn.parent) ? fn : undefined;
  const declaration = fn.parent;
  if (
    declaration &&
    ts.isVariableDeclaration(declaration) &&
    ts.isSourceFile(declaration.parent.parent.parent)
  ) {
    return declaration;
  }
  return undefined;
}
