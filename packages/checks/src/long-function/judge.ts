import { needsModel } from '../lib/needs-model.ts';
import { CHANGE_TYPE, type LongFunctionEvidence } from './schema.ts';

/** Still there: the model splits it (or, without one, it waits as `needs_llm`). */
export const judge = needsModel<LongFunctionEvidence>({ changeType: CHANGE_TYPE, subject: (e) => e.name });
