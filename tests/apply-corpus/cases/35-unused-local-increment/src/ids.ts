let nextId = 1;
const labels = new Map<number, string>();

export function register(label: string): void {
  const id = nextId++;
  labels.set(labels.size + 1, label);
}

export function count(): number {
  return nextId - 1;
}
