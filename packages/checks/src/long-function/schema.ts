import { z } from 'zod';

export const options = z
  .object({
    /** A function longer than this many lines is a candidate. */
    maxLines: z.number().int().min(1).default(80),
  })
  .strict();
export type LongFunctionOptions = z.infer<typeof options>;

export const LongFunctionEvidence = z.object({
  kind: z.literal('long-function'),
  /** Dotted path of the function, e.g. `Parser.parseExpression` or `<anonymous>`. */
  name: z.string(),
  lines: z.number().int().positive(),
  limit: z.number().int().positive(),
});
export type LongFunctionEvidence = z.infer<typeof LongFunctionEvidence>;

export const CHANGE_TYPE = 'split_long_function';
