import { defer } from '../lib/judge.ts';
import { needsModel } from '../lib/needs-model.ts';
import { CHANGE_TYPE, type UntestedExportEvidence } from './schema.ts';

/**
 * Still there: the model writes a test for it (or, without one, it waits as `needs_llm`);
 * but in a repository without any test, adding the first is a person's decision.
 */
export const judge = needsModel<UntestedExportEvidence>({
  changeType: CHANGE_TYPE,
  subject: (e) => e.name,
  before: (e) =>
    e.testFiles === 0
      ? defer(
          'no_test_setup',
          `The repository has no test files; adding the first test is a decision for a person.`,
          0.5,
        )
      : undefined,
});
