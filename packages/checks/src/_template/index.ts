import { defineCheck } from '../lib/define.ts';
import { task } from './fix.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, ExampleEvidence, options } from './schema.ts';

/** Not registered: add a copy of this folder to `ALL` in `../registry.ts`. */
export const exampleCheck = defineCheck({
  id: 'example-check',
  description: "'debugger' statements",
  options,
  evidence: ExampleEvidence,
  scan,
  judge,
  fix: {
    changeType: CHANGE_TYPE,
    subject: 'remove debugger statements',
    branch: 'remove-debuggers',
    model: task,
  },
});
