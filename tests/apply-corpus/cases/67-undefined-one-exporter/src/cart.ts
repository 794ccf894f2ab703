export interface CartLine {
  name: string;
  cents: number;
}

export function cartSummary(lines: CartLine[]): string {
  const total = lines.reduce((sum, line) => sum + line.cents, 0);
  return `${lines.length} items, ${formatPrice(total)}`;
}
