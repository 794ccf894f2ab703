import type { ChangeType } from '@selfreview/shared/schemas';
import { removeUnusedImport } from './remove-unused-import/index.ts';
import { removeUnusedLocal } from './remove-unused-local/index.ts';
import { removeUnusedParameter } from './remove-unused-parameter/index.ts';
import type { Codemod } from './types.ts';

export type { Codemod, CodemodInput, CodemodResult, CodemodSkip } from './types.ts';

/**
 * Registered codemods. `add_missing_import` (./add-missing-import) is not listed: it needs
 * the exporting module, which the worker does not look up yet.
 */
export const CODEMODS: readonly Codemod[] = [removeUnusedImport, removeUnusedLocal, removeUnusedParameter];

export function getCodemod(changeType: ChangeType): Codemod | undefined {
  return CODEMODS.find((c) => c.changeType === changeType);
}
