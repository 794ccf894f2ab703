/**
 * For the tests of the sandbox for repository code (tests/security-sandbox*.test.ts): the small
 * repository they fix, and a count of the host's processes that a sandboxed command left behind.
 */
import { readdir, readFile } from 'node:fs/promises';

/** A small repository with one unused import (`unusedMarker`) for the fix to remove. */
export function sandboxSources(config: object): Record<string, string> {
  return {
    '.gitignore': 'node_modules/\n',
    'package.json': JSON.stringify({ name: 'hostile', private: true }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, types: [] },
      include: ['src'],
    }),
    'src/m.ts': 'export const used = 1;\nexport const unusedMarker = 2;\n',
    'src/a.ts': "import { used, unusedMarker } from './m';\nexport const x = used;\n",
    'selfreview.config.json': JSON.stringify(config),
  };
}

/**
 * Every process on the host whose command line contains `marker` (bwrap's own two included:
 * they have the command in theirs); with `program`, only those running it.
 */
export async function processesWith(marker: string, program?: string): Promise<number> {
  let n = 0;
  for (const pid of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && (program === undefined || cmdline.startsWith(`${program}\0`))) n++;
  }
  return n;
}
