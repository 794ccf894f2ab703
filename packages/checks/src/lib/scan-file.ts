/**
 * Running checks' rules over one file, as the scan service does: parse, refuse a file that
 * does not parse, run each rule with its options, and give every finding an id made from
 * what was found rather than where. Pure.
 */
import { createHash } from 'node:crypto';
import { ts } from '@selfreview/shared/compiler';
import type { Candidate } from '@selfreview/shared/schemas';
import { scriptKindFor } from '@selfreview/shared/syntax';
import type { Check } from './define.ts';
import type { ScanFinding, ScanInput, SemanticDiagnostic, TestIndex } from './scan.ts';

/** Each check's options by check id; a check missing here runs with its defaults. */
export type OptionsById = Readonly<Record<string, object>>;

export interface ScanFileOptions {
  /** The compiler's diagnostics for the file; null (the default) when it was not checked. */
  semantic?: readonly SemanticDiagnostic[] | null;
  options?: OptionsById;
  /** What the repository's tests mention; null for a test file or when tests were not indexed. */
  tests?: TestIndex | null;
  isTestFile?: boolean;
  /** The file already parsed (by the caller, for the test index): saves a second parse. */
  sourceFile?: ts.SourceFile;
}

export interface ScanFileResult {
  candidates: Candidate[];
  /** Set when the file was skipped, e.g. because it does not parse. */
  warning?: string;
}

export function parseSource(file: string, text: string): ts.SourceFile {
  // Parent pointers are needed: rules classify identifiers by their parent. JSDoc is not
  // parsed into nodes: no rule reads JSDoc structure (TODOs in JSDoc are found as comment
  // text), and skipping it more than halves parse time on documentation-heavy code.
  return ts.createSourceFile(
    file,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    true,
    scriptKindFor(file),
  );
}

/** `<line>: syntax error (<message>)` for the first parse error, or undefined. */
export function firstSyntaxError(sourceFile: ts.SourceFile): string | undefined {
  const parseErrors =
    (sourceFile as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  const first = parseErrors[0];
  if (!first) return undefined;
  const line = first.start === undefined ? 1 : sourceFile.getLineAndCharacterOfPosition(first.start).line + 1;
  return `${line}: syntax error (${ts.flattenDiagnosticMessageText(first.messageText, ' ')})`;
}

const defaults = new WeakMap<Check, object>();

/** A check's options with nothing configured: every default. */
export function defaultOptions(check: Check): object {
  let options = defaults.get(check);
  if (!options) {
    options = check.options.parse({}) as object;
    defaults.set(check, options);
  }
  return options;
}

/** The findings of `checks` in one file, in line order (findings on one line keep the checks' order). */
export function scanFile(
  checks: readonly Check[],
  file: string,
  text: string,
  opts: ScanFileOptions = {},
): ScanFileResult {
  const sourceFile = opts.sourceFile ?? parseSource(file, text);
  const syntaxError = firstSyntaxError(sourceFile);
  // The parser recovers from errors with invented nodes; findings on such a tree (an
  // import "unused" because its use did not parse) would be wrong.
  if (syntaxError !== undefined) return { candidates: [], warning: `${file}:${syntaxError}, file skipped` };

  const candidates: Candidate[] = [];
  for (const check of checks) {
    const input: ScanInput<Record<string, unknown>> = {
      file,
      text,
      sourceFile,
      semantic: opts.semantic ?? null,
      options: (opts.options?.[check.id] ?? defaultOptions(check)) as Record<string, unknown>,
      tests: opts.tests ?? null,
      isTestFile: opts.isTestFile ?? false,
    };
    // Each check's findings carry its own evidence, whose `kind` is the check's id.
    candidates.push(...withIds(check.id, file, check.scan.analyze(input) as ScanFinding[]));
  }
  // Stable sort: findings on one line keep check order, then each check's own order.
  candidates.sort((a, b) => a.line - b.line);
  return { candidates };
}

/**
 * Ids come from what was found, not where: a finding keeps its id when lines are
 * inserted above it, so apply's decisions on earlier runs still match. Identical
 * findings in one file (two equal TODOs) are told apart by their order.
 */
function withIds(rule: string, file: string, findings: readonly ScanFinding[]): Candidate[] {
  const ordered = [...findings].sort((a, b) => a.line - b.line);
  const seen = new Map<string, number>();
  return ordered.map(({ fingerprint, ...candidate }) => {
    const occurrence = seen.get(fingerprint) ?? 0;
    seen.set(fingerprint, occurrence + 1);
    return { id: candidateId(rule, file, fingerprint, occurrence), ...candidate };
  });
}

export function candidateId(rule: string, file: string, fingerprint: string, occurrence: number): string {
  const hash = createHash('sha1')
    .update(`${rule}\u0000${file}\u0000${fingerprint}\u0000${occurrence}`)
    .digest('hex')
    .slice(0, 16);
  return `${rule}:${hash}`;
}
