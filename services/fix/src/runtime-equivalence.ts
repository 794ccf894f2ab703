/**
 * Whether a change can alter what runs. Removing an unused import, or an `import type`, leaves
 * the JavaScript the compiler emits byte for byte the same: the compiler (and esbuild, which
 * vitest uses, and babel's TypeScript preset) elides imports that no value position uses. Such a
 * change cannot make a runtime test pass or fail, and on a repository whose related tests are
 * most of its suite (one import of a module everything loads) running them costs minutes a batch.
 *
 * Pure: the texts and the compiler options come in, the verdict goes out. The comparison
 * transpiles each file alone with the project's options (those that change emit:
 * `verbatimModuleSyntax` keeps every import, so there nothing is ever the same), comments kept,
 * so a change of a comment still counts as a change.
 */
import { ts } from '@selfreview/shared/compiler';

export type FileChange = {
  file: string;
  /** The text at the base commit; null when the change creates the file. */
  before: string | null;
  /** The text after the change; null when the change deletes the file. */
  after: string | null;
};

export type RuntimeVerdict = { unchanged: true } | { unchanged: false; why: string };

const TYPESCRIPT_SOURCE = /\.(?:[cm]?ts|tsx)$/;
const DECLARATION = /\.d\.[cm]?ts$/;

/** The JavaScript `text` compiles to on its own, with the options that matter for emit. */
export function emittedJavaScript(file: string, text: string, options: ts.CompilerOptions): string {
  if (DECLARATION.test(file)) return ''; // declarations emit nothing that runs
  return ts.transpileModule(text, {
    fileName: file,
    reportDiagnostics: false,
    compilerOptions: {
      ...options,
      sourceMap: false,
      inlineSourceMap: false,
      declaration: false,
      removeComments: false,
    },
  }).outputText;
}

/**
 * Unchanged when every changed file is an existing TypeScript source whose emitted JavaScript is
 * identical before and after; `optionsFor` gives each file's project options.
 */
export function runtimeUnchanged(
  changes: readonly FileChange[],
  optionsFor: (file: string) => ts.CompilerOptions | null,
): RuntimeVerdict {
  if (changes.length === 0) return { unchanged: false, why: 'no change to compare' };
  for (const change of changes) {
    if (change.before === null) return { unchanged: false, why: `${change.file} is new` };
    if (change.after === null) return { unchanged: false, why: `${change.file} is deleted` };
    if (!TYPESCRIPT_SOURCE.test(change.file))
      return { unchanged: false, why: `${change.file} is not a TypeScript source` };
    const options = optionsFor(change.file);
    if (!options) return { unchanged: false, why: `no compiler options for ${change.file}` };
    if (options.verbatimModuleSyntax)
      return { unchanged: false, why: `${change.file}'s project keeps every import (verbatimModuleSyntax)` };
    if (
      emittedJavaScript(change.file, change.before, options) !==
      emittedJavaScript(change.file, change.after, options)
    )
      return { unchanged: false, why: `${change.file} compiles to different JavaScript` };
  }
  return { unchanged: true };
}
