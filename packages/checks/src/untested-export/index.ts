import { defineCheck } from '../lib/define.ts';
import { task } from './fix.ts';
import { judge } from './judge.ts';
import { scan } from './scan.ts';
import { CHANGE_TYPE, options, UntestedExportEvidence } from './schema.ts';

export const untestedExport = defineCheck({
  id: 'untested-export',
  description: 'Exported functions, classes and public methods no test file refers to',
  options,
  evidence: UntestedExportEvidence,
  scan,
  judge,
  fix: {
    changeType: CHANGE_TYPE,
    subject: 'add missing tests',
    branch: 'add-missing-tests',
    model: task,
  },
});

/**
 * The repository's test-file globs, from this check's `testFiles` option: scan, apply and fix
 * tell test files by them too.
 */
export function testFileGlobs(config: { rules: { 'untested-export': { testFiles: string[] } } }): string[] {
  return config.rules['untested-export'].testFiles;
}
