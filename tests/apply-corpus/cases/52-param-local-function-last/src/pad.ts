function padCell(text: string, width: number, fill: string): string {
  return text.padEnd(width);
}

export function renderRow(cells: string[]): string {
  return cells.map((cell) => padCell(cell, 12, ' ')).join('|');
}
