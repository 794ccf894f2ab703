import { needsModel } from '../lib/needs-model.ts';
import { CHANGE_TYPE, type DeepNestingEvidence } from './schema.ts';

/** Still there: the model flattens it (or, without one, it waits as `needs_llm`). */
export const judge = needsModel<DeepNestingEvidence>({
  changeType: CHANGE_TYPE,
  subject: (e) => e.functionName,
});
