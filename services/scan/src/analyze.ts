import { createHash } from 'node:crypto';
import type { Candidate, RuleId } from '@selfreview/shared/schemas';
import { ts } from 'ts-morph';
import { getRule, RULES } from './rules/index.ts';
import type { RuleFinding, ScanRule } from './rules/types.ts';

export interface AnalyzeOptions {
  /** Rules to run; all registered rules when absent. */
  rules?: readonly RuleId[];
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

export function scriptKindFor(file: string): ts.ScriptKind {
  const lower = file.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(lower)) return ts.ScriptKind.JS;
  // .ts, .mts, .cts and .d.ts; an unknown extension is read as TypeScript, the
  // strictest grammar, rather than guessed at.
  return ts.ScriptKind.TS;
}

export function parseSourceFile(file: string, text: string): ts.SourceFile {
  // Parent pointers are needed: rules classify identifiers by their parent.
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindFor(file));
}

export function analyzeFile(file: string, text: string, opts: AnalyzeOptions = {}): AnalyzeFileResult {
  const sourceFile = parseSourceFile(file, text);
  // The parser recovers from errors with invented nodes; findings on such a tree
  // (an import "unused" because its use did not parse) would be wrong.
  const parseErrors =
    (sourceFile as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  const firstError = parseErrors[0];
  if (firstError) {
    const line =
      firstError.start === undefined
        ? 1
        : sourceFile.getLineAndCharacterOfPosition(firstError.start).line + 1;
    const message = ts.flattenDiagnosticMessageText(firstError.messageText, ' ');
    return { candidates: [], warning: `${file}:${line}: syntax error (${message}), file skipped` };
  }

  const rules: readonly ScanRule[] = opts.rules ? [...new Set(opts.rules)].map(getRule) : RULES;
  const candidates: Candidate[] = [];
  for (const rule of rules) {
    const findings = rule.analyze({ file, text, sourceFile });
    candidates.push(...withIds(rule.id, file, findings));
  }
  // Stable sort: findings on one line keep rule order, then each rule's own order.
  candidates.sort((a, b) => a.line - b.line);
  return { candidates };
}

export function analyzeFiles(
  entries: readonly { file: string; text: string }[],
  opts: AnalyzeOptions = {},
): AnalyzeFilesResult {
  const candidates: Candidate[] = [];
  const warnings: string[] = [];
  for (const { file, text } of entries) {
    const result = analyzeFile(file, text, opts);
    candidates.push(...result.candidates);
    if (result.warning !== undefined) warnings.push(result.warning);
  }
  // Plain code-unit order, not locale order, so the output is the same on every machine.
  candidates.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { candidates, warnings };
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
