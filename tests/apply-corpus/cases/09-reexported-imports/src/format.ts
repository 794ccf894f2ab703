export function format(tokens: string[]): string {
  return tokens.join(' ');
}
