/**
 * Scan's view of the checks' registry (@selfreview/checks): each check's rule, in the
 * registry's order. The rules themselves live with their checks.
 */
import { CHECKS, type Check, getCheck } from '@selfreview/checks';
import type { RuleId } from '@selfreview/shared/schemas';

export type { RuleFinding, RuleInput, ScanRule } from './types.ts';

/** Every check's rule, in the order their findings are listed for one line. */
export const RULES: readonly Check[] = CHECKS;

/**
 * Rules that read the compiler's diagnostics. A full scan runs them only on files the
 * compiler said something about (or that no program contains); the others need the
 * syntax alone and run while the compiler is still checking.
 */
export const SEMANTIC_RULES: ReadonlySet<RuleId> = new Set(
  CHECKS.filter((c) => c.scan.semantic).map((c) => c.id),
);

export function getRule(id: RuleId): Check {
  return getCheck(id);
}
