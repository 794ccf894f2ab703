import './polyfills';

export function newestEntry(entries: string[]): string | undefined {
  return entries.last();
}
