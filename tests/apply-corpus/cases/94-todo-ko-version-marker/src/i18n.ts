export function t(key: string): string {
  // TODO: v2에서 다국어 지원
  return key;
}
