import { z } from 'zod';

/** The check's settings under `rules.<id>` besides `enabled`; every key has a default. */
export const options = z
  .object({
    /** Also report `debugger` in test files. */
    inTests: z.boolean().default(false),
  })
  .strict();
export type ExampleOptions = z.infer<typeof options>;

/** What a finding carries for apply and fix: `kind` is the id; identify the thing, never by line. */
export const ExampleEvidence = z.object({
  kind: z.literal('example-check'),
  /** The enclosing function's dotted name, `<module>` at the top level. */
  functionName: z.string(),
});
export type ExampleEvidence = z.infer<typeof ExampleEvidence>;

/** What the fix does, in snake_case. */
export const CHANGE_TYPE = 'remove_debugger';
