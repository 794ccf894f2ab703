class Store {
  private reads = 0;
  private items: string[] = [];

  get snapshot(): string[] {
    this.reads++;
    return [...this.items];
  }

  get readCount(): number {
    return this.reads;
  }
}

export const store = new Store();

export function touch(): number {
  const snapshot = store.snapshot;
  return store.readCount;
}
