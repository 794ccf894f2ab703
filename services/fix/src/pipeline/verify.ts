/**
 * Step 4, verify: the batch's typecheck against the base (typecheck.ts), then the tests related
 * to what is left of the change. Tests that cannot run at the base still let a change with a
 * clean typecheck through (the report says so); a change nothing could judge does not.
 */
import type { TestVerdict } from '../verification.ts';
import { rejected, type Stopped, stopped } from './attempt.ts';
import { untilDeadline } from './deadline.ts';
import type { StepTimes } from './step-times.ts';
import { typecheckBatch } from './typecheck.ts';
import { createdFiles, isPending, type PendingWork, type Work } from './work.ts';
import type { BatchInWorktree } from './worktree.ts';

/** A batch whose change the typecheck and tests accept; the gates judge it next. */
export type Verified = {
  work: Work[];
  verification: { typecheck: 'pass' | 'unavailable'; tests: TestVerdict['outcome'] };
  tests: TestVerdict;
  /** The works going into the commit, and the test files the model wrote for them. */
  kept: PendingWork[];
  created: string[];
  notes: string[];
};

export async function verifyBatch(
  batch: BatchInWorktree,
  edited: Work[],
  steps?: StepTimes,
): Promise<Verified | Stopped> {
  const { verifier } = batch;
  const typechecked = await typecheckBatch(batch, edited);
  steps?.lap('typecheck');
  const { work } = typechecked;
  if (typechecked.error !== null)
    return stopped(rejected('typecheck', typechecked.error), work, [...batch.notes]);
  const kept = work.filter(isPending);
  if (kept.length === 0) return stopped({ kind: 'nothing_to_commit' }, work, [...batch.notes]);
  const typecheck = verifier.typecheckOutcome(batch.files);

  const created = createdFiles(kept);
  const tests = await untilDeadline(
    batch.deadline,
    () => verifier.tests([...kept.map((w) => w.file), ...created]),
    () => null,
  );
  if (tests === null)
    return stopped({ kind: 'time_up' }, work, [...batch.notes], { typecheck, tests: 'skipped' });
  const verification = { typecheck, tests: tests.outcome };
  const notes = tests.outcome === 'unavailable' ? [...batch.notes, tests.detail] : [...batch.notes];
  if (tests.outcome === 'fail') return stopped(rejected('tests', tests.detail), work, notes, verification);
  if (typecheck === 'unavailable' && tests.outcome !== 'pass') {
    // Nothing judged the change at all: committing it would be a guess.
    const reason = `nothing could verify the change: ${notes.join('; ')}`;
    return stopped(rejected('typecheck', reason), work, notes, verification);
  }
  return { work, verification, tests, kept, created, notes };
}
