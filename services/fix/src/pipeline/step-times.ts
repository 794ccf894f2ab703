/**
 * The wall time of each step of a batch, for its log line: where a slow batch spent its time
 * (making the worktree, linking dependencies, the edit, the typecheck, the tests, the commit).
 */
export class StepTimes {
  private last = performance.now();
  /** Milliseconds per step, in the order the steps ended. */
  readonly ms: Record<string, number> = {};

  /** Ends the step `name`: the time since the previous step ended (or since construction). */
  lap(name: string): void {
    const now = performance.now();
    this.ms[name] = Math.round(now - this.last);
    this.last = now;
  }
}
