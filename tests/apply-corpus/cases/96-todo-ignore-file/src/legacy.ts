// selfreview-ignore-file todo-comment
export function legacyTotal(values: number[]): number {
  // TODO: fix rounding bug in the legacy path
  let total = 0;
  for (const v of values) total += v;
  // FIXME: wrong for negative values
  return Math.round(total);
}
