class LinkedQueue<T> {
  private items: T[] = [];

  push(item: T): void {
    this.items.push(item);
  }
}

export function drain<T>(items: T[], visit: (item: T) => void): void {
  while (items.length > 0) visit(items.shift() as T);
}
