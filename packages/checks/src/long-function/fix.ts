import type { ModelTask } from '../lib/fix.ts';
import type { LongFunctionEvidence } from './schema.ts';

export const task: ModelTask<LongFunctionEvidence> = {
  instructions: () =>
    'Split the long functions listed in the findings by extracting well-named helper functions into ' +
    'the same file. Keep every export, exported name and signature as it is; the new helpers are not ' +
    'exported. Behaviour must not change.',
  findingLines: (e, quote) => [`   function: ${quote(e.name)}, ${e.lines} lines (limit ${e.limit})`],
};
