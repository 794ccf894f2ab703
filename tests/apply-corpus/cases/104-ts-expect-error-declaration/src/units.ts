export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

function rejectsStrings(): void {
  // @ts-expect-error: amounts are numbers, never strings
  toCents('12.50');
}
