export interface Config {
  port: number;
}

export function isEqual(a: number, b: number): boolean {
  return a === b;
}

export function check(): void {
  const defaults = { port: 8080 } satisfies Config;
}
