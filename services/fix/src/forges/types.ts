/**
 * What the fix worker needs from a forge to propose a branch for review. selfreview opens and
 * updates proposals but never merges them: a person is the last gate, so there is deliberately
 * no merge operation here.
 */

export type ForgeKind = 'github' | 'gitlab';

/** Which project on which forge; the token is passed separately and never logged. */
export type ForgeTarget = { kind: ForgeKind; project: string; apiUrl: string };

export type ProposalInput = {
  branch: string;
  base: string;
  title: string;
  body: string;
  labels: readonly string[];
};

export type Proposal = { number: number; url: string };

export interface Forge {
  readonly kind: ForgeKind;
  /** The open pull/merge request whose source branch is `branch` (same repository), if any. */
  findOpen(branch: string): Promise<Proposal | null>;
  /** Opens a new pull/merge request and puts the labels on it. */
  open(input: ProposalInput): Promise<Proposal>;
  /** Replaces title/body of an existing one and makes its selfreview labels exactly `labels` (other labels untouched). */
  update(number: number, input: ProposalInput): Promise<void>;
}

/**
 * A failed forge call. The message names the forge, the operation and the HTTP status, never the
 * token; `status` is absent when no HTTP answer came (connection refused, timeout).
 */
export class ForgeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ForgeError';
  }
}
