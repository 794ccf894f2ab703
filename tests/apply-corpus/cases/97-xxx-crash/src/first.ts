export function firstWord(text: string): string {
  // XXX: crashes with a TypeError when text is only whitespace
  return text.trim().split(' ')[0].toLowerCase();
}
