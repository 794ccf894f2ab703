const toCents = (amount: number): number => Math.round(amount * 100);

const fromCents = (cents: number): number => cents / 100;

export function addTax(cents: number, rate: number): number {
  return Math.round(cents * (1 + rate));
}

export function display(cents: number): string {
  return fromCents(cents).toFixed(2);
}
