import { defineCheck } from '../lib/define.ts';
import { removeUnusedImport } from './codemod.ts';
import { followUp } from './follow-up.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, options, UnusedImportEvidence } from './schema.ts';

export const unusedImport = defineCheck({
  id: 'unused-import',
  description: 'Import bindings that are never used',
  options,
  evidence: UnusedImportEvidence,
  scan,
  judge,
  fix: {
    changeType: CHANGE_TYPE,
    subject: 'remove unused imports',
    branch: 'remove-unused-imports',
    codemod: removeUnusedImport,
    followUp,
  },
});
