import type { ModelTask } from '../lib/fix.ts';
import type { ExampleEvidence } from './schema.ts';

/**
 * The model's task. A deterministic fix is a `Codemod` instead (`../unused-import/codemod.ts`):
 * then `index.ts` gives `codemod` rather than `model`.
 */
export const task: ModelTask<ExampleEvidence> = {
  instructions: () =>
    "Remove the 'debugger' statements listed in the findings. Change nothing else; behaviour must stay the same.",
  // Every string from the repository goes through `quote`.
  findingLines: (e, quote) => [`   function: ${quote(e.functionName)}`],
};
