import { type Order, totalOf } from './orders';

export function checkoutTotal(amounts: number[], shipping: number): number {
  return totalOf(amounts) + shipping;
}
