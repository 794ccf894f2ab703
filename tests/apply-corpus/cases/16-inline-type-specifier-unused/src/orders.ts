export interface Order {
  id: string;
  amounts: number[];
}

export function totalOf(amounts: number[]): number {
  return amounts.reduce((a, b) => a + b, 0);
}
