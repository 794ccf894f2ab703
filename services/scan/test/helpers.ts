import ts from 'typescript';
import { parseSourceFile } from '../src/analyze.ts';
import { DEFAULT_RULE_SETTINGS, type RuleInput, type SemanticDiagnostic } from '../src/rules/types.ts';

/** A rule's input for `text`, syntax only unless `extra` supplies more. */
export function ruleInput(file: string, text: string, extra: Partial<RuleInput> = {}): RuleInput {
  return {
    file,
    text,
    sourceFile: parseSourceFile(file, text),
    semantic: null,
    settings: DEFAULT_RULE_SETTINGS,
    tests: null,
    isTestFile: false,
    ...extra,
  };
}

/**
 * The compiler's real diagnostics for one in-memory file (plus optional neighbours), as
 * the semantic engine would hand them to the rules: unused names and unresolved names.
 */
export function semanticOf(
  file: string,
  text: string,
  others: Record<string, string> = {},
): SemanticDiagnostic[] {
  const files = new Map<string, string>([[`/repo/${file}`, text]]);
  for (const [name, content] of Object.entries(others)) files.set(`/repo/${name}`, content);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.ReactJSX,
    experimentalDecorators: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.directoryExists = (name) =>
    name === '/repo' || name.startsWith('/repo/') || ts.sys.directoryExists(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang) => {
    const content = files.get(name);
    return content === undefined ? getSourceFile(name, lang) : ts.createSourceFile(name, content, lang, true);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const sourceFile = program.getSourceFile(`/repo/${file}`);
  if (!sourceFile) throw new Error(`not in the program: ${file}`);
  return program.getSemanticDiagnostics(sourceFile).map((d) => {
    const pos = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
    return {
      code: d.code,
      line: pos.line + 1,
      column: pos.character + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    };
  });
}
