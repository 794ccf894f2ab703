import { z } from 'zod';

export const options = z.object({}).strict();

export const UnusedLocalEvidence = z.object({
  kind: z.literal('unused-local'),
  name: z.string(),
  declarationKind: z.enum([
    'variable',
    'function',
    'class',
    'interface',
    'type',
    'enum',
    'namespace',
    'private-member',
    'destructured',
    'other',
  ]),
  /** The initializer's text for variables (shortened), so apply can judge side effects. */
  initializer: z.string().nullable(),
  /** Whether the variable is one of several names bound by one destructuring pattern. */
  destructured: z.boolean(),
  /** The compiler's diagnostic code (6133, 6196, 6198, ...). */
  code: z.number().int(),
  /** The declaring statement's text, shortened. */
  statement: z.string(),
});
export type UnusedLocalEvidence = z.infer<typeof UnusedLocalEvidence>;

export const CHANGE_TYPE = 'remove_unused_local';
