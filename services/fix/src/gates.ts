/**
 * Hard gates, checked in code after the fix and before the commit. A prompt can
 * be talked out of a rule; these can't. Pure: the adapter supplies the facts.
 */
export type GateInput = {
  /** Files the worktree differs in from the base commit. */
  changedFiles: readonly string[];
  /** Files this batch was allowed to change. */
  allowedFiles: readonly string[];
  /** Lines added plus lines removed. */
  diffLines: number;
  maxDiffLines: number;
};

export type GateViolation = { gate: 'only_batch_files' | 'diff_size'; detail: string };

export function checkGates(input: GateInput): GateViolation[] {
  const violations: GateViolation[] = [];
  const allowed = new Set(input.allowedFiles);
  const outside = input.changedFiles.filter((f) => !allowed.has(f));
  if (outside.length > 0) {
    violations.push({ gate: 'only_batch_files', detail: `changes outside the batch: ${outside.join(', ')}` });
  }
  if (input.diffLines > input.maxDiffLines) {
    violations.push({
      gate: 'diff_size',
      detail: `${input.diffLines} changed lines, limit ${input.maxDiffLines}`,
    });
  }
  return violations;
}
