export function ranks(names: string[]): number[] {
  return names.map((name, index) => index + 1);
}
