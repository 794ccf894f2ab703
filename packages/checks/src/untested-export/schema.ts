import { z } from 'zod';

export const options = z
  .object({
    /**
     * Globs of test files; the common conventions when empty. Scan, apply and fix take the
     * repository's test files from here too (`testFileGlobs`).
     */
    testFiles: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type UntestedExportOptions = z.infer<typeof options>;

export const UntestedExportEvidence = z.object({
  kind: z.literal('untested-export'),
  /** Exported name; `Class.method` for a method. */
  name: z.string(),
  exportKind: z.enum(['function', 'class', 'method']),
  /** How many test files the repository has: zero means nothing could refer to it. */
  testFiles: z.number().int().nonnegative(),
});
export type UntestedExportEvidence = z.infer<typeof UntestedExportEvidence>;

export const CHANGE_TYPE = 'add_missing_test';
