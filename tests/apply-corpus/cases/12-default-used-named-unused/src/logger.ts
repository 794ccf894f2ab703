export type LogLevel = 'debug' | 'info' | 'warn';

export default class Logger {
  constructor(private readonly scope: string) {}

  info(message: string): void {
    console.info(`[${this.scope}] ${message}`);
  }
}
