import { ts } from '@selfreview/shared/compiler';
import { type FollowUpInput, firstLineOf } from '../lib/fix.ts';
import type { UnusedLocalEvidence } from './schema.ts';

/** A variable, function, class, interface, type alias or enum the fix left unused: removed in the same batch. */
export function followUp({ sourceFile, name, declaration: decl, code }: FollowUpInput) {
  const kind = ts.isVariableDeclaration(decl)
    ? 'variable'
    : ts.isFunctionDeclaration(decl)
      ? 'function'
      : ts.isClassDeclaration(decl)
        ? 'class'
        : ts.isInterfaceDeclaration(decl)
          ? 'interface'
          : ts.isTypeAliasDeclaration(decl)
            ? 'type'
            : ts.isEnumDeclaration(decl)
              ? 'enum'
              : null;
  if (!kind) return undefined;
  const initializer =
    ts.isVariableDeclaration(decl) && decl.initializer
      ? decl.initializer.getText(sourceFile).slice(0, 200)
      : null;
  const evidence: UnusedLocalEvidence = {
    kind: 'unused-local',
    name,
    declarationKind: kind,
    initializer,
    destructured: false,
    code,
    statement: firstLineOf(decl, sourceFile),
  };
  return { message: `'${name}' is declared but no longer used after the fix`, evidence };
}
