/** Scan of one file or a few: the checks' rules (@selfreview/checks), run as the registry lists them. */
import { CHECKS, type Check, getCheck, scanFile } from '@selfreview/checks';
import type { ts } from '@selfreview/shared/compiler';
import type { Candidate, RuleId } from '@selfreview/shared/schemas';
import { scriptKindFor } from '@selfreview/shared/syntax';
import type { RuleSettings, SemanticDiagnostic, TestIndex } from './rules/types.ts';

export { candidateId, firstSyntaxError, parseSource as parseSourceFile } from '@selfreview/checks';

export interface AnalyzeOptions {
  /** Rules to run; all registered rules when absent. */
  rules?: readonly RuleId[];
  /** The compiler's diagnostics for the file; null (the default) when it was not checked. */
  semantic?: readonly SemanticDiagnostic[] | null;
  /** Each rule's options by check id; a rule missing here runs with its defaults. */
  settings?: RuleSettings;
  /** What the repository's tests mention; null for a test file or when tests were not indexed. */
  tests?: TestIndex | null;
  isTestFile?: boolean;
  /** The file already parsed (by the caller, for the test index): saves a second parse. */
  sourceFile?: ts.SourceFile;
}

export interface AnalyzeFileResult {
  candidates: Candidate[];
  /** Set when the file was skipped, e.g. because it does not parse. */
  warning?: string;
}

export interface AnalyzeFilesResult {
  candidates: Candidate[];
  warnings: string[];
}

/** Re-exported for scan's callers; the definition is shared with fix. */
export { scriptKindFor };

export function analyzeFile(file: string, text: string, opts: AnalyzeOptions = {}): AnalyzeFileResult {
  const checks: readonly Check[] = opts.rules ? [...new Set(opts.rules)].map(getCheck) : CHECKS;
  const { settings: options, ...rest } = opts;
  return scanFile(checks, file, text, { ...rest, ...(options ? { options } : {}) });
}

export function analyzeFiles(
  entries: readonly { file: string; text: string }[],
  opts: Omit<AnalyzeOptions, 'sourceFile'> = {},
): AnalyzeFilesResult {
  const candidates: Candidate[] = [];
  const warnings: string[] = [];
  for (const { file, text } of entries) {
    const result = analyzeFile(file, text, opts);
    candidates.push(...result.candidates);
    if (result.warning !== undefined) warnings.push(result.warning);
  }
  sortCandidates(candidates);
  return { candidates, warnings };
}

/** Plain code-unit order by file, then line: the same output on every machine. */
export function sortCandidates(candidates: Candidate[]): Candidate[] {
  return candidates.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
