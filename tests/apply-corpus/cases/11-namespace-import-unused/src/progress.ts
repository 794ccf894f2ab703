import * as strings from './strings';
import * as numbers from './numbers';

export function progressLabel(done: number, total: number): string {
  const pct = numbers.clampPercent(Math.round((done / total) * 100));
  return `${pct}% complete`;
}
