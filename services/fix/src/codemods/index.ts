import type { ChangeType } from '@selfreview/shared/schemas';
import { removeUnusedImport } from './remove-unused-import/index.ts';
import type { Codemod } from './types.ts';

export type { Codemod, CodemodInput, CodemodResult, CodemodSkip } from './types.ts';

export const CODEMODS: readonly Codemod[] = [removeUnusedImport];

export function getCodemod(changeType: ChangeType): Codemod | undefined {
  return CODEMODS.find((c) => c.changeType === changeType);
}
