import { z } from 'zod';

export const options = z.object({}).strict();

export const TodoEvidence = z.object({
  kind: z.literal('todo-comment'),
  /** TODO, FIXME, HACK or XXX, as written. */
  tag: z.string(),
  /** The comment's text without comment markers. */
  text: z.string(),
  /** A few source lines around the comment. */
  context: z.array(z.string()),
});
export type TodoEvidence = z.infer<typeof TodoEvidence>;

export const CHANGE_TYPE = 'resolve_todo';
