export class Formatter {
  constructor(private readonly locale: string) {}

  format(n: number): string {
    return n.toLocaleString(this.locale);
  }

  private legacyFormat(n: number): string {
    return n.toFixed(2);
  }
}
