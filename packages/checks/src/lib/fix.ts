/**
 * The fix part's contract: a check's findings are fixed either by a codemod (a pure
 * text-to-text transformation) or by the model, with the check's task text; either way under
 * one change type, whose words name the branch and the commit.
 */
import type { ts } from '@selfreview/shared/compiler';
import type { ChangeType, FixItem } from '@selfreview/shared/schemas';
import type { z } from 'zod';

export interface CodemodInput {
  /** Repository-relative path; its extension decides how the text is parsed (`.tsx` enables JSX). */
  file: string;
  text: string;
  /** The items for this file; items are expected to carry this codemod's change type. */
  items: FixItem[];
}

export interface CodemodSkip {
  candidateId: string;
  /** A short machine-readable reason code, e.g. `not_found`, `still_referenced`. */
  reason: string;
}

export interface CodemodResult {
  /** The whole new file text; equal to the input text when nothing was applied. */
  text: string;
  /** 1-based lines of the ORIGINAL text that were changed or removed, ascending, without duplicates. */
  linesAffected: number[];
  /** Candidate ids that were applied. */
  applied: string[];
  skipped: CodemodSkip[];
}

/**
 * A pure text-to-text transformation: no file system, no git, no processes, so the fix
 * worker can run it, verify the result, and throw it away if verification fails.
 */
export interface Codemod {
  changeType: ChangeType;
  description: string;
  apply(input: CodemodInput): CodemodResult;
}

/** A change only the model can make: what it is asked, and how a finding is shown to it. */
export interface ModelTask<Evidence> {
  /**
   * The task, the last paragraph of the system prompt. `testPath` is the JSON-quoted path of
   * the new test file for a task that writes one, empty otherwise.
   */
  instructions(testPath: string): string;
  /**
   * The lines shown under a finding (each indented by three spaces). `quote` makes repository
   * text safe and JSON-quotes it: every string from the repository goes through it.
   */
  findingLines(evidence: Evidence, quote: (text: string) => string): string[];
  /** The task writes one new test file and leaves the source file as it is. */
  writesTestFile?: boolean;
}

/** A name the compiler reports unused after a fix, at its declaration: a check may take it on. */
export interface FollowUpInput {
  sourceFile: ts.SourceFile;
  name: string;
  /** The declaration whose name the compiler pointed at (never a parameter). */
  declaration: ts.Node;
  /** The compiler's diagnostic code. */
  code: number;
}

interface FixNames {
  changeType: ChangeType;
  /** What a commit of only this change does, e.g. `remove unused imports`. */
  subject: string;
  /** The branch name's word for it, e.g. `remove-unused-imports`. */
  branch: string;
}

export type FixPart<Evidence> = FixNames &
  ({ codemod: Codemod; model?: undefined } | { model: ModelTask<Evidence>; codemod?: undefined }) & {
    /**
     * A fix that removes a name's last use leaves that name unused; when the leftover is this
     * check's kind of finding, the batch finishes it with this check's codemod. Undefined: not
     * this check's.
     */
    followUp?(input: FollowUpInput): { message: string; evidence: Evidence } | undefined;
  };

/**
 * The item's evidence as its check describes it, or undefined when the item is not one the
 * codemod takes: another change type, another file, or evidence of another shape.
 */
export function itemEvidence<E>(
  schema: z.ZodType<E>,
  changeType: ChangeType,
  item: FixItem,
  file: string,
): E | undefined {
  if (item.changeType !== changeType || item.candidate.file !== file) return undefined;
  const parsed = schema.safeParse(item.candidate.evidence);
  return parsed.success ? parsed.data : undefined;
}

/** The first line of a node's text, at most 200 characters: the statement a follow-up item quotes. */
export function firstLineOf(node: ts.Node, sourceFile: ts.SourceFile): string {
  return node.getText(sourceFile).split('\n')[0]?.slice(0, 200) ?? '';
}

/** The skips of a codemod that changed nothing: the input, or what it would write, does not parse. */
export function unparsable(input: CodemodInput): CodemodResult {
  return {
    text: input.text,
    linesAffected: [],
    applied: [],
    skipped: input.items.map((i) => ({ candidateId: i.candidate.id, reason: 'parse_error' })),
  };
}

/** A skip list and the function that adds to it, typed by the codemod's own reasons. */
export function skipList<Reason extends string>(): {
  skipped: CodemodSkip[];
  skip: (candidateId: string, reason: Reason) => void;
} {
  const skipped: CodemodSkip[] = [];
  return { skipped, skip: (candidateId, reason) => skipped.push({ candidateId, reason }) };
}
