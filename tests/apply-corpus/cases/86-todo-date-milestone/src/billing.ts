export function invoiceNumber(year: number, seq: number): string {
  // TODO(2025-Q3 milestone): migrate to the new numbering scheme
  return `${year}-${String(seq).padStart(5, '0')}`;
}
