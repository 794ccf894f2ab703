/**
 * The one TypeScript selfreview parses and checks with: syntax trees, the checker and the
 * language service's code fixes all come from here, so a node made by one module is
 * understood by every other (SyntaxKind numbers differ between compiler versions).
 *
 * It is the `typescript` package at the version ts-morph 28 bundles (6.0.2), so that trees
 * also agree with ts-morph's where a codemod still uses its API; the package has its `lib`
 * declaration files on disk, which the checker and the language service read. The native
 * compiler (typescript@7, scan's whole-program checker) is separate: a process scan runs,
 * not this module. So is a repository's own TypeScript, which fix's verification runs.
 */
import ts from './typescript.cjs';

export { ts };

/**
 * How a file's extension says it is parsed: `.tsx` enables JSX; unknown extensions read as
 * TypeScript, the strictest grammar, rather than guessed at.
 */
export function scriptKindFor(file: string): ts.ScriptKind {
  const lower = file.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(lower)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export interface ParseOptions {
  /** Parent pointers; default true: anything that walks up from a node, or asks a node for its text, needs them. */
  parents?: boolean;
  /** The grammar; default from the file's extension (`scriptKindFor`). */
  kind?: ts.ScriptKind;
}

/**
 * One file's syntax tree, as every stage reads source: the newest syntax, and no JSDoc
 * parsed into nodes. No stage reads JSDoc structure (TODOs in JSDoc are found as comment
 * text), and skipping it more than halves parse time on documentation-heavy code.
 */
export function parseFile(file: string, text: string, opts: ParseOptions = {}): ts.SourceFile {
  return ts.createSourceFile(
    file,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    opts.parents ?? true,
    opts.kind ?? scriptKindFor(file),
  );
}

/** TS18003: "No inputs were found in config file", what a config read without its files says. */
const NO_INPUTS_FOUND = 18003;

/**
 * A project's config read from disk as the command-line compiler reads it (`extends`,
 * `files`, `include`, `exclude`), with `overrides` over its options; undefined when the
 * config cannot be read at all. Errors in it are in the result's `errors`, not thrown.
 * `enumerateFiles: false` reads only the options: no folder is walked for `include`, which on a
 * large repository is most of the cost.
 */
export function readProjectConfig(
  configPath: string,
  overrides: ts.CompilerOptions = {},
  { enumerateFiles = true }: { enumerateFiles?: boolean } = {},
): ts.ParsedCommandLine | undefined {
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, overrides, {
    ...ts.sys,
    ...(enumerateFiles ? {} : { readDirectory: () => [] }),
    onUnRecoverableConfigFileDiagnostic: () => {},
  });
  if (!parsed || enumerateFiles) return parsed;
  return { ...parsed, errors: parsed.errors.filter((d) => d.code !== NO_INPUTS_FOUND) };
}
