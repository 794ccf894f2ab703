/**
 * Rounds to the given number of decimals.
 *
 * TODO: broken for negative numbers (rounds -1.5 to -1 instead of -2)
 */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
