import { z } from 'zod';

export const options = z.object({}).strict();

export const UnusedParameterEvidence = z.object({
  kind: z.literal('unused-parameter'),
  name: z.string(),
  /** The enclosing function's name, `<anonymous>` for an unnamed one. */
  functionName: z.string(),
  /** Zero-based position among the function's parameters (or type parameters). */
  index: z.number().int().nonnegative(),
  typeParameter: z.boolean(),
  /** Whether the unused name is one element of a destructured parameter. */
  destructured: z.boolean(),
  code: z.number().int(),
  /** The function's signature up to its body, shortened. */
  signature: z.string(),
});
export type UnusedParameterEvidence = z.infer<typeof UnusedParameterEvidence>;

export const CHANGE_TYPE = 'remove_unused_parameter';
