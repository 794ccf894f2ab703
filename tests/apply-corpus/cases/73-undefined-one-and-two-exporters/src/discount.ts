export function discounted(cents: number, percent: number): string {
  const rate = clamp(percent, 0, 100) / 100;
  return formatPrice(Math.round(cents * (1 - rate)));
}
