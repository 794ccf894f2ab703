import './polyfill';
import format, { add, round, ZERO, type Currency } from './money';
import type { Money } from './money';
import * as money from './money';

export interface Line {
  name: string;
  price: Money;
  quantity: number;
}

// TODO(v2): discounts per line, see the roadmap
export function total(lines: readonly Line[]): Money {
  return lines.reduce((sum, line) => add(sum, { ...line.price, amount: line.price.amount * line.quantity }), ZERO);
}

export function describe(lines: readonly Line[]): string {
  return `${lines.length} lines, ${format(total(lines))}`;
}
