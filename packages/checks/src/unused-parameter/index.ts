import { defineCheck } from '../lib/define.ts';
import { removeUnusedParameter } from './codemod.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, options, UnusedParameterEvidence } from './schema.ts';

export const unusedParameter = defineCheck({
  id: 'unused-parameter',
  description: 'Parameters and type parameters that are never used',
  options,
  evidence: UnusedParameterEvidence,
  scan,
  judge,
  usesRepoIndex: true,
  fix: {
    changeType: CHANGE_TYPE,
    subject: 'remove unused parameters',
    branch: 'remove-unused-parameters',
    codemod: removeUnusedParameter,
  },
});
