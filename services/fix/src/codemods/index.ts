/**
 * Fix's view of the checks' registry (@selfreview/checks): the codemods, one per change type.
 * The codemods themselves live with their checks; the rest wait for the model fixer.
 */
import { type Codemod, CODEMODS as REGISTERED } from '@selfreview/checks';
import type { ChangeType } from '@selfreview/shared/schemas';

export type { Codemod, CodemodInput, CodemodResult, CodemodSkip } from '@selfreview/checks';

/** Registered codemods, one per change type; the rest wait for the model fixer. */
export const CODEMODS: readonly Codemod[] = REGISTERED;

export function getCodemod(changeType: ChangeType): Codemod | undefined {
  return CODEMODS.find((c) => c.changeType === changeType);
}
