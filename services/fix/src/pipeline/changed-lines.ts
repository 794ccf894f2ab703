/**
 * The original file's lines a change touches (the span between the common prefix and suffix):
 * a model's answer replaces text, so its lines_affected are found by comparing. Pure.
 */
export function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  if (endA < start) return [Math.min(start + 1, a.length)];
  return Array.from({ length: endA - start + 1 }, (_, i) => start + i + 1);
}
