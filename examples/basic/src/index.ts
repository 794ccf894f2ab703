import { describe, type Line } from './cart';
import { ZERO } from './money';
import { receipt } from './report';

const lines: Line[] = [
  { name: 'coffee', price: { amount: 3.2, currency: 'EUR' }, quantity: 2 },
  { name: 'croissant', price: { amount: 1.9, currency: 'EUR' }, quantity: 1 },
];

export function main(): string {
  return `${describe(lines)}\n${receipt(lines)}`;
}
