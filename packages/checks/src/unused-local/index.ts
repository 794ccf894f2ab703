import { defineCheck } from '../lib/define.ts';
import { removeUnusedLocal } from './codemod.ts';
import { followUp } from './follow-up.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, options, UnusedLocalEvidence } from './schema.ts';

export const unusedLocal = defineCheck({
  id: 'unused-local',
  description: 'Local declarations that are never used',
  options,
  evidence: UnusedLocalEvidence,
  scan,
  judge,
  fix: {
    changeType: CHANGE_TYPE,
    subject: 'remove unused locals',
    branch: 'remove-unused-locals',
    codemod: removeUnusedLocal,
    followUp,
  },
});
