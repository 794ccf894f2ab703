export const progress = new Emitter<number>();

export function report(done: number, total: number): void {
  progress.emit(Math.round((done / total) * 100));
}
