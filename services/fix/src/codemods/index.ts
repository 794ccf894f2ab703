import type { ChangeType } from '@selfreview/shared/schemas';
import { addMissingImportCodemod } from './add-missing-import/index.ts';
import { removeUnusedImport } from './remove-unused-import/index.ts';
import { removeUnusedLocal } from './remove-unused-local/index.ts';
import { removeUnusedParameter } from './remove-unused-parameter/index.ts';
import type { Codemod } from './types.ts';

export type { Codemod, CodemodInput, CodemodResult, CodemodSkip } from './types.ts';

/** Registered codemods, one per change type; the rest wait for the model fixer. */
export const CODEMODS: readonly Codemod[] = [
  removeUnusedImport,
  removeUnusedLocal,
  removeUnusedParameter,
  addMissingImportCodemod,
];

export function getCodemod(changeType: ChangeType): Codemod | undefined {
  return CODEMODS.find((c) => c.changeType === changeType);
}
