import type { Candidate, RuleId } from '@selfreview/shared/schemas';
import type { ts } from 'ts-morph';

export interface RuleInput {
  /** Repository-relative path with `/` separators. */
  file: string;
  text: string;
  /** Parsed with parent pointers set: rules walk upwards to classify identifiers. */
  sourceFile: ts.SourceFile;
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
