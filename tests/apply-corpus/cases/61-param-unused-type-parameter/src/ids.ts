function makeId<T>(prefix: string, n: number): string {
  return `${prefix}_${n.toString(36)}`;
}

export function userId(n: number): string {
  return makeId('usr', n);
}
