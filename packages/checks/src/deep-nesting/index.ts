import { defineCheck } from '../lib/define.ts';
import { task } from './fix.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, DeepNestingEvidence, options } from './schema.ts';

export const deepNesting = defineCheck({
  id: 'deep-nesting',
  description: 'Control blocks nested more deeply than the configured limit inside one function',
  options,
  evidence: DeepNestingEvidence,
  scan,
  judge,
  fix: { changeType: CHANGE_TYPE, subject: 'reduce nesting', branch: 'reduce-nesting', model: task },
});
