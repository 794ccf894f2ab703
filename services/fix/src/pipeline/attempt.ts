/**
 * How a batch's attempt in its worktree ends: committed, or stopped before the commit (nothing
 * left to commit, a step's rejection, or the time limit), and the fix_results that follow.
 */

import type { FixJob } from '@selfreview/shared/queues';
import type { CheckOutcome, FixResult } from '@selfreview/shared/schemas';
import type { Deadline } from './deadline.ts';
import {
  type CarriedWork,
  carriedOver,
  failed,
  isCarried,
  NOT_VERIFIED,
  toResult,
  type Verification,
  type Work,
} from './work.ts';

export type StopCause =
  | { kind: 'nothing_to_commit' }
  | { kind: 'time_up' }
  /** A verification step or the gates refused the batch's change: its pending works fail with `reason`. */
  | { kind: 'rejected'; stage: 'typecheck' | 'tests' | 'gate'; reason: string };

type AttemptState = {
  work: Work[];
  /** The batch's verification as far as it got. */
  verification: Verification;
  /** What the run's report should know about this worktree (set-up, base commit, tests not run). */
  notes: string[];
};
export type Stopped = AttemptState & { outcome: 'stopped'; cause: StopCause };
export type Committed = AttemptState & { outcome: 'committed'; commit: string };
export type Attempt = Stopped | Committed;

/** What a batch ends with, before it is recorded, published and handed on. */
export type BatchOutcome = { results: FixResult[]; branch: string | null; carried: CarriedWork[] };

export function stopped(
  cause: StopCause,
  work: Work[],
  notes: string[],
  verification: Verification = NOT_VERIFIED,
): Stopped {
  return { outcome: 'stopped', cause, work, verification, notes };
}

export function rejected(stage: 'typecheck' | 'tests' | 'gate', reason: string): StopCause {
  return { kind: 'rejected', stage, reason };
}

export const isStopped = <T>(step: T | Stopped): step is Stopped =>
  (step as { outcome?: unknown }).outcome === 'stopped';

/**
 * The fix_results of the works the batch tried, and the works it carried over. Past the time
 * limit whatever stopped the batch (a killed test run, a typecheck that could not finish), its
 * unfinished works are carried over, not failed; a rejection fails them.
 */
export function attemptOutcome(
  data: FixJob,
  branch: string,
  attempt: Attempt,
  deadline: Deadline,
): BatchOutcome {
  const { work, verification } = settle(attempt, deadline);
  const commit = attempt.outcome === 'committed' ? attempt.commit : null;
  const results = work.flatMap((w) => {
    if (w.status === 'carried_over') return [];
    const done = w.status === 'committed';
    // Still pending here only if a step ended without settling it: it did not commit.
    const reason = w.status === 'pending' ? '' : w.reason;
    return [
      toResult(data, w, {
        lines_affected: w.lines,
        branch: done ? branch : null,
        commit: done ? commit : null,
        status: w.status === 'pending' ? 'failed' : w.status,
        verification: done ? verification : outcomeFor(reason, verification),
        reason,
      }),
    ];
  });
  return { results, branch: commit ? branch : null, carried: work.filter(isCarried) };
}

function settle(attempt: Attempt, deadline: Deadline): Pick<AttemptState, 'work' | 'verification'> {
  if (attempt.outcome === 'committed') return attempt;
  if (deadline.signal.aborted) {
    const reason = `batch time limit of ${deadline.minutes} min`;
    const work = attempt.work.map((w) => (w.status === 'pending' ? carriedOver(w, reason, true) : w));
    return { work, verification: attempt.verification };
  }
  const { cause } = attempt;
  if (cause.kind !== 'rejected') return attempt;
  return {
    work: attempt.work.map((w) => (w.status === 'pending' ? failed(w, cause.reason) : w)),
    verification:
      cause.stage === 'typecheck' ? { typecheck: 'fail', tests: 'skipped' } : attempt.verification,
  };
}

/** A work that did not commit: its own typecheck failure, else what the batch's verification reached. */
function outcomeFor(reason: string, v: Verification): Verification {
  const typecheck: CheckOutcome = reason.startsWith('typecheck') ? 'fail' : v.typecheck;
  return { typecheck, tests: v.tests };
}
