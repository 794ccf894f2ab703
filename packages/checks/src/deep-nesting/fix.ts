import type { ModelTask } from '../lib/fix.ts';
import type { DeepNestingEvidence } from './schema.ts';

export const task: ModelTask<DeepNestingEvidence> = {
  instructions: () =>
    'Reduce the nesting listed in the findings with early returns and guard clauses (or continue in ' +
    'loops). Behaviour must stay the same: same results, same side effects in the same order, same errors.',
  findingLines: (e, quote) => [
    `   function: ${quote(e.functionName)}, nesting depth ${e.depth} (limit ${e.limit})`,
  ],
};
