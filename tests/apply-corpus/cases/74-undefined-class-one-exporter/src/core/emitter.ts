export class Emitter<T> {
  private readonly listeners: Array<(value: T) => void> = [];

  on(listener: (value: T) => void): void {
    this.listeners.push(listener);
  }

  emit(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
}
