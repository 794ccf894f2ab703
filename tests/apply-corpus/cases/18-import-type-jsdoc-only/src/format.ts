import type { Money } from './money';

/**
 * Formats an amount of money.
 * @param {Money} value the amount, in minor units
 */
export function formatMoney(value: { amount: number; currency: string }): string {
  return `${(value.amount / 100).toFixed(2)} ${value.currency}`;
}
