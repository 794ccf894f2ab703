import type { RuleId } from '@selfreview/shared/schemas';
import { deepNestingRule } from './deep-nesting/index.ts';
import { longFunctionRule } from './long-function/index.ts';
import { todoCommentRule } from './todo-comment/index.ts';
import type { ScanRule } from './types.ts';
import { undefinedIdentifierRule } from './undefined-identifier/index.ts';
import { untestedExportRule } from './untested-export/index.ts';
import { unusedImportRule } from './unused-import/index.ts';
import { unusedLocalRule } from './unused-local/index.ts';
import { unusedParameterRule } from './unused-parameter/index.ts';

export type { RuleFinding, RuleInput, ScanRule } from './types.ts';

/** Every rule scan knows, in the order their findings are listed for one line. */
export const RULES: readonly ScanRule[] = [
  unusedImportRule,
  unusedLocalRule,
  unusedParameterRule,
  undefinedIdentifierRule,
  todoCommentRule,
  longFunctionRule,
  deepNestingRule,
  untestedExportRule,
];

/**
 * Rules that read the compiler's diagnostics. A full scan runs them only on files the
 * compiler said something about (or that no program contains); the others need the
 * syntax alone and run while the compiler is still checking.
 */
export const SEMANTIC_RULES: ReadonlySet<RuleId> = new Set([
  'unused-import',
  'unused-local',
  'unused-parameter',
  'undefined-identifier',
]);

export function getRule(id: RuleId): ScanRule {
  const rule = RULES.find((r) => r.id === id);
  // RuleId and RULES are edited together; a gap is a programming error, not input.
  if (!rule) throw new Error(`no scan rule registered for '${id}'`);
  return rule;
}
