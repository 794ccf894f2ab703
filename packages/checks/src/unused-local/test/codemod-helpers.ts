/** What the remove_unused_local codemod tests share: an item for an unused declaration and a run. */
import type { FixItem } from '@selfreview/shared/schemas';
import { CODEMOD_FILE, codemodItem } from '../../lib/test/helpers.ts';
import { removeUnusedLocal } from '../codemod.ts';
import type { UnusedLocalEvidence } from '../schema.ts';

type Kind = UnusedLocalEvidence['declarationKind'];

export function item(name: string, declarationKind: Kind, line = 1, file = CODEMOD_FILE): FixItem {
  const evidence: UnusedLocalEvidence = {
    kind: 'unused-local',
    name,
    declarationKind,
    initializer: null,
    destructured: declarationKind === 'destructured',
    code: 6133,
    statement: '',
  };
  return codemodItem(removeUnusedLocal, evidence, {
    id: `unused-local:${file}:${declarationKind}:${name}:${line}`,
    message: `'${name}' is declared but its value is never read`,
    file,
    line,
  });
}

export function run(text: string, items: FixItem[], file = CODEMOD_FILE) {
  return removeUnusedLocal.apply({ file, text, items });
}
