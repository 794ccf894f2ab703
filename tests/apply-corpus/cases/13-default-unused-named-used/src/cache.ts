export function cacheKey(parts: string[]): string {
  return parts.join(':');
}

export default class Cache {
  private readonly entries = new Map<string, string>();

  get(key: string): string | undefined {
    return this.entries.get(key);
  }
}
