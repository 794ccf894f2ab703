import { defineCheck } from '../lib/define.ts';
import { addMissingImportCodemod } from './codemod.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, options, UndefinedIdentifierEvidence } from './schema.ts';

export const undefinedIdentifier = defineCheck({
  id: 'undefined-identifier',
  description: 'Names the compiler cannot resolve',
  options,
  evidence: UndefinedIdentifierEvidence,
  scan,
  judge,
  usesRepoIndex: true,
  fix: {
    changeType: CHANGE_TYPE,
    subject: 'add missing imports',
    branch: 'add-missing-imports',
    codemod: addMissingImportCodemod,
  },
});
