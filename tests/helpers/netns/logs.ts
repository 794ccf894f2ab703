/** A lab deployment's workers' pino log lines, read back from their output. */

export type LogLine = { msg?: string; jobId?: string; runId?: string; time?: number; [k: string]: unknown };

/** A worker's pino lines. */
export function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

/** Job ids of a worker's log lines with this message. */
export function jobsWith(output: string, msg: string): string[] {
  return logLines(output)
    .filter((l) => l.msg === msg && typeof l.jobId === 'string')
    .map((l) => l.jobId as string);
}
