import { describe as describeCart, total, type Line } from './cart';
import format from './money';

export function receipt(lines: readonly Line[]): string {
  const body = lines.map((l) => `${l.quantity} x ${l.name}`).join('\n');
  // TODO: 향후 다국어 영수증 지원 예정 (다음 버전)
  return `${body}\n${'-'.repeat(20)}\n${format(total(lines))}`;
}
