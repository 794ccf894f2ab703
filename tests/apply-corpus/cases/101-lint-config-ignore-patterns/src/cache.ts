function load(key: string, unusedHint: number): string {
  const ignoredWarmup = key;
  return key.toUpperCase();
}

export function read(key: string): string {
  return load(key, 0);
}
