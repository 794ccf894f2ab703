import { createHash } from 'node:crypto';
import type { Candidate, RuleId } from '@selfreview/shared/schemas';
import { scriptKindFor } from '@selfreview/shared/syntax';
import { ts } from 'ts-morph';
import { getRule, RULES } from './rules/index.ts';
import {
  DEFAULT_RULE_SETTINGS,
  type RuleFinding,
  type RuleInput,
  type RuleSettings,
  type ScanRule,
  type SemanticDiagnostic,
  type TestIndex,
} from './rules/types.ts';

export interface AnalyzeOptions {
  /** Rules to run; all registered rules when absent. */
  rules?: readonly RuleId[];
  /** The compiler's diagnostics for the file; null (the default) when it was not checked. */
  semantic?: readonly SemanticDiagnostic[] | null;
  settings?: RuleSettings;
  /** What the repository's tests mention; null skips the untested-export rule. */
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

export function parseSourceFile(file: string, text: string): ts.SourceFile {
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

export function analyzeFile(file: string, text: string, opts: AnalyzeOptions = {}): AnalyzeFileResult {
  const sourceFile = opts.sourceFile ?? parseSourceFile(file, text);
  const syntaxError = firstSyntaxError(sourceFile);
  // The parser recovers from errors with invented nodes; findings on such a tree (an
  // import "unused" because its use did not parse) would be wrong.
  if (syntaxError !== undefined) return { candidates: [], warning: `${file}:${syntaxError}, file skipped` };

  const rules: readonly ScanRule[] = opts.rules ? [...new Set(opts.rules)].map(getRule) : RULES;
  const input: RuleInput = {
    file,
    text,
    sourceFile,
    semantic: opts.semantic ?? null,
    settings: opts.settings ?? DEFAULT_RULE_SETTINGS,
    tests: opts.tests ?? null,
    isTestFile: opts.isTestFile ?? false,
  };
  const candidates: Candidate[] = [];
  for (const rule of rules) candidates.push(...withIds(rule.id, file, rule.analyze(input)));
  // Stable sort: findings on one line keep rule order, then each rule's own order.
  candidates.sort((a, b) => a.line - b.line);
  return { candidates };
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

/**
 * Ids come from what was found, not where: a finding keeps its id when lines are
 * inserted above it, so apply's decisions on earlier runs still match. Identical
 * findings in one file (two equal TODOs) are told apart by their order.
 */
function withIds(rule: RuleId, file: string, findings: readonly RuleFinding[]): Candidate[] {
  const ordered = [...findings].sort((a, b) => a.line - b.line);
  const seen = new Map<string, number>();
  return ordered.map(({ fingerprint, ...candidate }) => {
    const occurrence = seen.get(fingerprint) ?? 0;
    seen.set(fingerprint, occurrence + 1);
    return { id: candidateId(rule, file, fingerprint, occurrence), ...candidate };
  });
}

export function candidateId(rule: RuleId, file: string, fingerprint: string, occurrence: number): string {
  const hash = createHash('sha1')
    .update(`${rule}\u0000${file}\u0000${fingerprint}\u0000${occurrence}`)
    .digest('hex')
    .slice(0, 16);
  return `${rule}:${hash}`;
}
