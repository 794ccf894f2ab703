export type Currency = 'EUR' | 'USD' | 'KRW';

export interface Money {
  amount: number;
  currency: Currency;
}

export const ZERO: Money = { amount: 0, currency: 'EUR' };

export function add(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error(`cannot add ${a.currency} to ${b.currency}`);
  return { amount: a.amount + b.amount, currency: a.currency };
}

export function round(m: Money): Money {
  // FIXME: rounding is wrong for negative amounts (Math.round rounds -2.5 to -2)
  return { amount: Math.round(m.amount * 100) / 100, currency: m.currency };
}

export default function format(m: Money): string {
  return `${m.amount.toFixed(2)} ${m.currency}`;
}
