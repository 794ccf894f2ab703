export function headerOf(text: string): string[] {
  // FIXME(#88): crash on files without a header row
  return text.split('\n')[0].split(',');
}
