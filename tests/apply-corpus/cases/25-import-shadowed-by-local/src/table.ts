import { format } from './fmt';

export function renderCells(values: number[]): string[] {
  const format = (n: number) => n.toFixed(1).padStart(8);
  return values.map(format);
}
