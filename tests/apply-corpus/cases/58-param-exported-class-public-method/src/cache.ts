export class TtlCache {
  private readonly values = new Map<string, string>();

  set(key: string, value: string, ttlSeconds: number): void {
    this.values.set(key, value);
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }
}
