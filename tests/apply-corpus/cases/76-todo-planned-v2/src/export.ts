export function exportCsv(rows: string[][]): string {
  // TODO: support streaming export in v2
  return rows.map((row) => row.join(',')).join('\n');
}
