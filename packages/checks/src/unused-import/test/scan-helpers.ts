/** What the unused-import scan tests share: the unused imports scan finds in a source. */
import { expect } from 'vitest';
import { scanText } from '../../lib/test/helpers.ts';
import { evidenceOf } from '../../registry.ts';
import { unusedImport } from '../index.ts';

interface Found {
  name: string;
  importedName: string;
  form: string;
  moduleSpecifier: string;
  typeOnly: boolean;
  line: number;
  endLine: number;
}

export function unused(source: string, file = 'src/m.ts'): Found[] {
  const result = scanText(unusedImport, file, source);
  // A fixture that does not parse would pass every "no candidate" case vacuously.
  expect(result.warning).toBeUndefined();
  return result.candidates.map((c) => {
    const e = evidenceOf(c);
    if (e.kind !== 'unused-import') throw new Error(`unexpected evidence ${e.kind}`);
    const { name, importedName, form, moduleSpecifier, typeOnly } = e;
    return { name, importedName, form, moduleSpecifier, typeOnly, line: c.line, endLine: c.endLine };
  });
}

export function unusedNames(source: string, file?: string): string[] {
  return unused(source, file).map((f) => f.name);
}
