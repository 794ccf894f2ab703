/**
 * Whether a change can alter what runs. Removing an unused import, or an `import type`, leaves
 * the JavaScript the compiler emits byte for byte the same: the compiler (and esbuild, which
 * vitest uses, and babel's TypeScript preset) elides imports that no value position uses. Such a
 * change cannot make a runtime test pass or fail, and on a repository whose related tests are
 * most of its suite (one import of a module everything loads) running them costs minutes a batch.
 *
 * The same holds for removing a local that nothing reads and whose value is a literal
 * (`const retries = 0;`), or an unread trailing parameter of a function only ever called by name:
 * no one can observe them. So both sides are compared without such code
 * (`withoutUnobservableCode`), and only when the file has no `eval` or `with`, which could read a
 * name the code does not spell.
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
    const before = withoutUnobservableCode(emittedJavaScript(change.file, change.before, options));
    const after = withoutUnobservableCode(emittedJavaScript(change.file, change.after, options));
    if (before !== after) return { unchanged: false, why: `${change.file} compiles to different JavaScript` };
  }
  return { unchanged: true };
}

type Edit = { start: number; end: number; text: string };

/**
 * `js` without what no one can observe running it:
 * - variable statements that bind only names written nowhere else in the file to literals (or
 *   to nothing);
 * - trailing parameters (plain names, no default) that the body never mentions, of a function
 *   declaration that is only ever called by its name: its `length` and text, the only places
 *   the parameter list shows, are never read. A default would run when no argument is passed,
 *   so a parameter with one stays.
 * Unchanged when the file uses `eval` or `with`, which can read a name the code does not spell.
 */
export function withoutUnobservableCode(js: string): string {
  const file = ts.createSourceFile('emitted.js', js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const mentions = new Map<string, number>();
  const calledByName = new Map<string, number>();
  let dynamicScope = false;
  const statements: ts.VariableStatement[] = [];
  const functions: ts.FunctionDeclaration[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      mentions.set(node.text, (mentions.get(node.text) ?? 0) + 1);
      if (node.text === 'eval') dynamicScope = true;
    }
    if (ts.isWithStatement(node)) dynamicScope = true;
    if (ts.isVariableStatement(node)) statements.push(node);
    if (ts.isFunctionDeclaration(node) && node.name) functions.push(node);
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text;
      calledByName.set(name, (calledByName.get(name) ?? 0) + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (dynamicScope) return js;
  const mentionedOnce = (name: ts.BindingName) => ts.isIdentifier(name) && mentions.get(name.text) === 1;

  const edits: Edit[] = [];
  for (const s of statements) {
    const dead =
      !s.modifiers?.length &&
      s.declarationList.declarations.every(
        (d) => mentionedOnce(d.name) && (d.initializer === undefined || isLiteral(d.initializer)),
      );
    if (dead) edits.push({ start: s.getFullStart(), end: s.getEnd(), text: '' });
  }
  for (const f of functions) {
    const name = f.name?.text ?? '';
    // Declared once, and every other mention is a call by name: nothing reads the function itself.
    const onlyCalled = !f.modifiers?.length && mentions.get(name) === 1 + (calledByName.get(name) ?? 0);
    if (!onlyCalled || f.parameters.length === 0) continue;
    let kept = f.parameters.length;
    while (kept > 0) {
      const p = f.parameters[kept - 1] as ts.ParameterDeclaration;
      if (p.dotDotDotToken || p.initializer || !mentionedOnce(p.name)) break;
      kept--;
    }
    if (kept === f.parameters.length) continue;
    const text = f.parameters
      .slice(0, kept)
      .map((p) => p.getText(file))
      .join(', ');
    edits.push({ start: f.parameters.pos, end: f.parameters.end, text });
  }
  let out = js;
  // From the end, so the earlier spans stay where they were.
  for (const e of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
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
