import { defineCheck } from '../lib/define.ts';
import { task } from './fix.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, options, TodoEvidence } from './schema.ts';

export const todoComment = defineCheck({
  id: 'todo-comment',
  description: 'Comments carrying a TODO, FIXME, HACK or XXX marker',
  options,
  evidence: TodoEvidence,
  scan,
  judge,
  fix: { changeType: CHANGE_TYPE, subject: 'resolve TODOs', branch: 'resolve-todos', model: task },
});
