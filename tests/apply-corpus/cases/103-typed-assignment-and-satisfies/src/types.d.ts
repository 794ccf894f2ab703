declare module 'vitest' {
  export function describe(name: string, body: () => void): void;
  export function it(name: string, body: () => void | Promise<void>): void;
  export function expect(value: unknown): { toBe(expected: unknown): void; toEqual(expected: unknown): void };
  export function expectTypeOf<T>(value?: T): { toEqualTypeOf<U>(): void };
}
