import type { Candidate, RuleId } from '@selfreview/shared/schemas';
import type { ts } from 'ts-morph';

/**
 * One compiler diagnostic on a file, as the semantic engine reported it. Positions are
 * 1-based line and column (UTF-16 code units), the way `tsc --pretty false` prints them.
 */
export interface SemanticDiagnostic {
  code: number;
  line: number;
  column: number;
  message: string;
}

/** What the untested-export rule needs to know about the repository's tests. */
export interface TestIndex {
  /** How many test files the repository has. */
  testFiles: number;
  /** Every identifier and property name any test file mentions. */
  referencedNames: ReadonlySet<string>;
}

/** Per-rule settings, already validated by the repository config. */
export interface RuleSettings {
  maxFunctionLines: number;
  maxNestingDepth: number;
}

export const DEFAULT_RULE_SETTINGS: RuleSettings = { maxFunctionLines: 80, maxNestingDepth: 4 };

export interface RuleInput {
  /** Repository-relative path with `/` separators. */
  file: string;
  text: string;
  /** Parsed with parent pointers set: rules walk upwards to classify identifiers. */
  sourceFile: ts.SourceFile;
  /**
   * The compiler's diagnostics for this file, or null when the file was not part of any
   * program the compiler checked (outside every tsconfig, or the compiler could not run).
   * Semantic rules fall back to what the syntax alone shows, or report nothing.
   */
  semantic: readonly SemanticDiagnostic[] | null;
  settings: RuleSettings;
  /** Null when the file is itself a test file or tests were not indexed. */
  tests: TestIndex | null;
  /** Whether the file is a test file (its exports are not expected to be tested). */
  isTestFile: boolean;
}

/**
 * A candidate before it has an id. Ids are assigned centrally (analyze.ts) from
 * the fingerprint so that every rule gets the same line-independent scheme.
 */
export type RuleFinding = Omit<Candidate, 'id'> & {
  /** What identifies the finding regardless of where it sits: never a line number. */
  fingerprint: string;
};

export interface ScanRule {
  id: RuleId;
  description: string;
  analyze(input: RuleInput): RuleFinding[];
}
