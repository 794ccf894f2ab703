export function renderTable(rows: string[][]): string {
  function renderCell(cell: string, columnIndex: number): string {
    return `<td>${cell}</td>`;
  }
  return rows
    .map((row) => `<tr>${row.map((cell, i) => renderCell(cell, i)).join('')}</tr>`)
    .join('\n');
}
