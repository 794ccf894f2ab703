import type { ModelTask } from '../lib/fix.ts';
import type { UntestedExportEvidence } from './schema.ts';

/** The model writes a new test file next to the repository's tests; the source file stays as it is. */
export const task: ModelTask<UntestedExportEvidence> = {
  writesTestFile: true,
  instructions: (testPath) =>
    `Write one new test file at ${testPath} that exercises the exports listed in the findings. Use the ` +
    'test framework, imports and style of the existing test shown, if one is shown. Test only behaviour ' +
    'you can read in the source, so the tests pass against the current code. Never change the source ' +
    'file: leave edits empty and put the whole test file in new_test_file.',
  findingLines: (e, quote) => [
    `   export: ${quote(e.name)} (${e.exportKind}); test files in the repository: ${e.testFiles}`,
  ],
};
