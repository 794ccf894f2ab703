import { defineCheck } from '../lib/define.ts';
import { task } from './fix.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, LongFunctionEvidence, options } from './schema.ts';

export const longFunction = defineCheck({
  id: 'long-function',
  description: 'Functions longer than the configured number of lines',
  options,
  evidence: LongFunctionEvidence,
  scan,
  judge,
  fix: {
    changeType: CHANGE_TYPE,
    subject: 'split long functions',
    branch: 'split-long-functions',
    model: task,
  },
});
