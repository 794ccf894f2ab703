/**
 * The scan part's contract: what a check's rule is given for one file, and what it returns.
 * Rules are pure: a parsed file in, findings out.
 */
import type { ts } from '@selfreview/shared/compiler';
import type { Candidate } from '@selfreview/shared/schemas';

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

/** What a rule that asks about the repository's tests needs to know of them. */
export interface TestIndex {
  /** How many test files the repository has. */
  testFiles: number;
  /** Every identifier and property name any test file mentions. */
  referencedNames: ReadonlySet<string>;
}

export interface ScanInput<Options = unknown> {
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
  /** This check's options from the repository's configuration, defaults filled in. */
  options: Options;
  /** Null when the file is itself a test file or tests were not indexed. */
  tests: TestIndex | null;
  /** Whether the file is a test file (its exports are not expected to be tested). */
  isTestFile: boolean;
}

/**
 * A candidate before it has an id. Ids are assigned centrally (`scanFile`) from the
 * fingerprint so that every rule gets the same line-independent scheme.
 */
export type ScanFinding<Evidence = Candidate['evidence']> = Omit<Candidate, 'id' | 'evidence'> & {
  evidence: Evidence;
  /** What identifies the finding regardless of where it sits: never a line number. */
  fingerprint: string;
};
