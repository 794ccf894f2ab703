const memory = new Map<string, string>();

export function cached(key: string, load: () => string): string {
  // TODO: 향후 Redis 캐시 계층 추가
  if (!memory.has(key)) memory.set(key, load());
  return memory.get(key) as string;
}
