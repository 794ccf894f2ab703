export function process(input: string): string {
  return input.trim();
}
