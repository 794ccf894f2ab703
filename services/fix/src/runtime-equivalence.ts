/**
 * Whether a change can alter what runs. Removing an unused import, or an `import type`, leaves
 * the JavaScript the compiler emits byte for byte the same: the compiler (and esbuild, which
 * vitest uses, and babel's TypeScript preset) elides imports that no value position uses. Such a
 * change cannot make a runtime test pass or fail, and on a repository whose related tests are
 * most of its suite (one import of a module everything loads) running them costs minutes a batch.
 *
 * The same holds for removing a local that nothing reads and whose value is a literal
 * (`const retries = 0;`): creating it has no effect anyone can observe. So both sides are compared
 * without such bindings, and only when the file has no `eval` or `with`, which could read a local
 * by a name the code does not spell.
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
    const before = withoutDeadLiteralBindings(emittedJavaScript(change.file, change.before, options));
    const after = withoutDeadLiteralBindings(emittedJavaScript(change.file, change.after, options));
    if (before !== after) return { unchanged: false, why: `${change.file} compiles to different JavaScript` };
  }
  return { unchanged: true };
}

/**
 * `js` without the variable statements that bind only names written nowhere else in the file to
 * literals (or to nothing). Unchanged when the file uses `eval` or `with`.
 */
export function withoutDeadLiteralBindings(js: string): string {
  const file = ts.createSourceFile('emitted.js', js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const mentions = new Map<string, number>();
  let dynamicScope = false;
  const statements: ts.VariableStatement[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      mentions.set(node.text, (mentions.get(node.text) ?? 0) + 1);
      if (node.text === 'eval') dynamicScope = true;
    }
    if (ts.isWithStatement(node)) dynamicScope = true;
    if (ts.isVariableStatement(node)) statements.push(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (dynamicScope) return js;
  const dead = statements.filter(
    (s) =>
      !s.modifiers?.length &&
      s.declarationList.declarations.every(
        (d) =>
          ts.isIdentifier(d.name) &&
          mentions.get(d.name.text) === 1 &&
          (d.initializer === undefined || isLiteral(d.initializer)),
      ),
  );
  let out = js;
  // From the end, so the earlier spans stay where they were.
  for (const s of dead.sort((a, b) => b.getFullStart() - a.getFullStart()))
    out = out.slice(0, s.getFullStart()) + out.slice(s.getEnd());
  return out;
}

function isLiteral(node: ts.Expression): boolean {
  if (
    ts.isNumericLiteral(node) ||
    ts.isBigIntLiteral(node) ||
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node)
  )
    return true;
  if (
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    node.kind === ts.SyntaxKind.NullKeyword
  )
    return true;
  if (ts.isPrefixUnaryExpression(node))
    return ts.isNumericLiteral(node.operand) || ts.isBigIntLiteral(node.operand);
  return ts.isVoidExpression(node) && ts.isNumericLiteral(node.expression);
}
