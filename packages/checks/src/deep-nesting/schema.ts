import { z } from 'zod';

export const options = z
  .object({
    /** Blocks nested deeper than this inside one function are a candidate. */
    maxDepth: z.number().int().min(1).default(4),
  })
  .strict();
export type DeepNestingOptions = z.infer<typeof options>;

export const DeepNestingEvidence = z.object({
  kind: z.literal('deep-nesting'),
  /** The innermost enclosing function's dotted path, or `<module>` at the top level. */
  functionName: z.string(),
  depth: z.number().int().positive(),
  limit: z.number().int().positive(),
});
export type DeepNestingEvidence = z.infer<typeof DeepNestingEvidence>;

export const CHANGE_TYPE = 'reduce_nesting';
