const removed: string[] = [];

function purge(prefix: string): number {
  removed.push(prefix);
  return removed.length;
}

export function cleanup(prefix: string): string[] {
  const DRY_RUN = false;
  const count = purge(prefix);
  return removed;
}
