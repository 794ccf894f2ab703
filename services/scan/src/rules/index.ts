import type { RuleId } from '@selfreview/shared/schemas';
import { todoCommentRule } from './todo-comment/index.ts';
import type { ScanRule } from './types.ts';
import { unusedImportRule } from './unused-import/index.ts';

export type { RuleFinding, RuleInput, ScanRule } from './types.ts';

/** Every rule scan knows, in the order their findings are listed for one line. */
export const RULES: readonly ScanRule[] = [unusedImportRule, todoCommentRule];

export function getRule(id: RuleId): ScanRule {
  const rule = RULES.find((r) => r.id === id);
  // RuleId and RULES are edited together; a gap is a programming error, not input.
  if (!rule) throw new Error(`no scan rule registered for '${id}'`);
  return rule;
}
