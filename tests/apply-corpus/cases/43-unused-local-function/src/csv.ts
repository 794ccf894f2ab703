function quote(cell: string): string {
  return `"${cell.replace(/"/g, '""')}"`;
}

function legacyEscape(cell: string): string {
  return cell.replace(/,/g, '\\,');
}

export function toCsvRow(cells: string[]): string {
  return cells.map(quote).join(',');
}
