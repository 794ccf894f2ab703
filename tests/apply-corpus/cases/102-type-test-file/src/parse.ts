export function parse(text: string): { value: number } {
  return { value: Number(text) };
}
