/** What the add_missing_import codemod tests share: an item for a missing name, the repository's exporters, a run. */
import type { FixItem } from '@selfreview/shared/schemas';
import { CODEMOD_FILE, codemodItem } from '../../lib/test/helpers.ts';
import { addMissingImport, addMissingImportCodemod, type Exporter } from '../codemod.ts';
import type { UndefinedIdentifierEvidence } from '../schema.ts';

export function item(name: string, file = CODEMOD_FILE): FixItem {
  const evidence: UndefinedIdentifierEvidence = {
    kind: 'undefined-identifier',
    name,
    code: 2304,
    compilerMessage: `Cannot find name '${name}'.`,
    lineText: '',
  };
  return codemodItem(addMissingImportCodemod, evidence, {
    id: `undefined-identifier:${file}:${name}`,
    message: `Cannot find name '${name}'.`,
    file,
    confidence: 0.8,
  });
}

export const value = (module: string): Exporter => ({ module, typeOnly: false, isDefault: false });
export const type = (module: string): Exporter => ({ module, typeOnly: true, isDefault: false });
const dflt = (module: string): Exporter => ({ module, typeOnly: false, isDefault: true });

const EXPORTERS = new Map<string, Exporter>([
  ['add', value('src/math.ts')],
  ['sub', value('src/math.ts')],
  ['Vec', type('src/math.ts')],
  ['clamp', value('src/lib/clamp.ts')],
  ['Config', type('src/config.ts')],
  ['Parser', dflt('src/parser.ts')],
  ['helper', value('src/helpers/index.ts')],
  ['root', value('lib/root.ts')],
  ['self', value(CODEMOD_FILE)],
]);

export function run(
  text: string,
  items: FixItem[],
  file = CODEMOD_FILE,
  exporters: ReadonlyMap<string, Exporter> = EXPORTERS,
) {
  return addMissingImport({ file, text, items, exporters });
}
