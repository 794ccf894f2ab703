import { z } from 'zod';

export const options = z.object({}).strict();

export const UnusedImportEvidence = z.object({
  kind: z.literal('unused-import'),
  /** The local binding name that is never referenced. */
  name: z.string(),
  /** The imported name (`x` in `import { x as y }`), `default` or `*`. */
  importedName: z.string(),
  form: z.enum(['default', 'named', 'namespace', 'import-equals']),
  moduleSpecifier: z.string(),
  typeOnly: z.boolean(),
  /** The whole import declaration's text, for a reader. */
  statement: z.string(),
});
export type UnusedImportEvidence = z.infer<typeof UnusedImportEvidence>;

export const CHANGE_TYPE = 'remove_unused_import';
