/** Repositories for a lab deployment whose fixes need many batches, two at a time. */

/** One unused import in each of these files: batches of at most two files, so FILES / 2 batches. */
export const MANY_FILES = manyFiles(12);

export function manyFiles(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `src/f${String(i + 1).padStart(2, '0')}.ts`);
}

/**
 * A repository whose fixes need `files.length / 2` batches (tests/helpers/fix-batches.ts's
 * shape, more files), asking for two batches at once (fix.concurrency 2), one per fix host.
 */
export function manyBatchesRepo(files: readonly string[] = MANY_FILES): Record<string, string> {
  const out: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, types: [] },
      include: ['src'],
    }),
    'src/m.ts': 'export const a = 1;\nexport const b = 2;\n',
    'selfreview.config.json': JSON.stringify({ fix: { concurrency: 2 } }),
  };
  files.forEach((file, i) => {
    out[file] = `import { a, b } from './m';\nexport const x${i} = a;\n`;
  });
  return out;
}
