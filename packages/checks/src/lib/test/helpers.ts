/**
 * What the checks' tests share: a rule's input, a file scanned by some checks, the compiler's
 * real diagnostics, a judgement's context, a check's decision and a codemod's fix item.
 */
import { ts } from '@selfreview/shared/compiler';
import { type Candidate, Decision, type Evidence, type FixItem } from '@selfreview/shared/schemas';
import { getCheck } from '../../registry.ts';
import { type Check, judgeWith } from '../define.ts';
import type { Codemod } from '../fix.ts';
import type { JudgeContext } from '../judge.ts';
import type { ScanInput, SemanticDiagnostic } from '../scan.ts';
import {
  defaultOptions,
  parseSource,
  type ScanFileOptions,
  type ScanFileResult,
  scanFile,
} from '../scan-file.ts';

/** `check`'s rule input for `text` (its default options), syntax only unless `extra` supplies more. */
export function ruleInput<O>(
  check: Check,
  file: string,
  text: string,
  extra: Partial<ScanInput<O>> = {},
): ScanInput<O> {
  return {
    file,
    text,
    sourceFile: parseSource(file, text),
    semantic: null,
    options: defaultOptions(check) as O,
    tests: null,
    isTestFile: false,
    ...extra,
  };
}

/** `text` scanned by `checks`, as the scan service scans one file (ids, order, a file that does not parse). */
export function scanText(
  checks: Check | readonly Check[],
  file: string,
  text: string,
  opts: ScanFileOptions = {},
): ScanFileResult {
  return scanFile(Array.isArray(checks) ? checks : [checks as Check], file, text, opts);
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

/** What a judgement sees of `fileText` at head (null: the file is gone), nothing else known; `over` on top. */
export function judgeContext(
  fileText: string | null,
  over: Partial<JudgeContext> = {},
  file = 'src/a.ts',
): JudgeContext {
  return {
    fileText,
    sourceFile: fileText === null ? null : ts.createSourceFile(file, fileText, ts.ScriptTarget.Latest, true),
    scannedText: fileText,
    isGenerated: false,
    llmAvailable: false,
    exportersOf: () => [],
    importersOf: () => [],
    now: Date.parse('2026-11-21T12:00:00Z'),
    memoryDays: 14,
    protectedPath: false,
    ignoredPath: false,
    ...over,
  };
}

/** The decision of the candidate's check, tied to the candidate the way apply ties it. */
export function decide(candidate: Candidate, ctx: JudgeContext): Decision {
  return Decision.parse({
    candidateId: candidate.id,
    ...judgeWith(getCheck(candidate.rule), candidate, ctx),
  });
}

/** The file a codemod's tests edit unless a test names another. */
export const CODEMOD_FILE = 'src/example.ts';

/** Where a codemod's candidate sits and what it says; one line of `CODEMOD_FILE` unless told. */
export interface CodemodCandidate {
  id: string;
  message: string;
  file?: string;
  line?: number;
  confidence?: number;
}

/**
 * A fix item for `codemod`, as apply hands it over: a one-line candidate of the check that
 * `evidence.kind` names, under the codemod's change type.
 */
export function codemodItem(codemod: Codemod, evidence: Evidence, at: CodemodCandidate): FixItem {
  const { id, message, file = CODEMOD_FILE, line = 1, confidence = 0.9 } = at;
  return {
    candidate: { id, rule: evidence.kind, file, line, endLine: line, message, evidence },
    changeType: codemod.changeType,
    confidence,
  };
}
