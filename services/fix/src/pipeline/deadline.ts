/**
 * A batch's time limit. Subprocesses are killed through the signal and the model client
 * stops at `at`; a step the limit interrupts returns what it had settled instead of its
 * error, so the works it did not finish are carried over and the ones it did keep their outcome.
 */
export type Deadline = Readonly<{ signal: AbortSignal; at: number; minutes: number }>;

export function startDeadline(minutes: number): Deadline {
  return { signal: AbortSignal.timeout(minutes * 60_000), at: Date.now() + minutes * 60_000, minutes };
}

/** `step()`, or `timeUp()` when it failed because the time ran out; any other error is the caller's. */
export async function untilDeadline<T>(
  deadline: Deadline,
  step: () => Promise<T>,
  timeUp: () => T,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (deadline.signal.aborted) return timeUp();
    throw err;
  }
}
