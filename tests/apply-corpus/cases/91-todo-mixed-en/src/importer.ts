export function importRows(text: string): string[][] {
  // TODO: roadmap - support XLSX files as well
  const lines = text.split('\n');
  // TODO: crashes on a trailing empty line, fix the split
  return lines.map((line) => line.split(','));
}
