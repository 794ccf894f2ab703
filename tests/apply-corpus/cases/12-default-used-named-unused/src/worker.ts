import Logger, { LogLevel } from './logger';

const log = new Logger('worker');

export function runJob(name: string): void {
  log.info(`running ${name}`);
}
