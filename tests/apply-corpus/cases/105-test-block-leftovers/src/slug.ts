export function slug(text: string): string {
  return text.toLowerCase().replace(/\s+/g, '-');
}
