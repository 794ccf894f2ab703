import { z } from 'zod';

export const options = z.object({}).strict();

export const UndefinedIdentifierEvidence = z.object({
  kind: z.literal('undefined-identifier'),
  name: z.string(),
  /** The compiler's diagnostic code (2304, 2552, 2580, ...) and message. */
  code: z.number().int(),
  compilerMessage: z.string(),
  /** The source line the name is on. */
  lineText: z.string(),
});
export type UndefinedIdentifierEvidence = z.infer<typeof UndefinedIdentifierEvidence>;

export const CHANGE_TYPE = 'add_missing_import';
