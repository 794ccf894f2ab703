import type { ChangeType, FixItem } from '@selfreview/shared/schemas';

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
