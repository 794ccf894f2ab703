/**
 * pino loggers. Messages are fixed text; details go in fields. Anything that
 * can carry a credential is redacted before it is written.
 */
import { type Logger, pino } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'token',
  'password',
  'apiKey',
  'secret',
  'authorization',
  '*.token',
  '*.password',
  '*.apiKey',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-gitlab-token"]',
];

export function createLogger(
  opts: { name: string; level?: string },
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Credentials can hide in URLs (https://user:token@host/...): strip them everywhere.
      formatters: { log: (obj) => scrubUrls(obj) as Record<string, unknown> },
    },
    destination,
  );
}

/** A child logger carrying the job's identity, so every line can be traced to its run. */
export function jobLogger(
  log: Logger,
  job: { runId: string; jobId: string | undefined; repo: string },
): Logger {
  return log.child({ runId: job.runId, jobId: job.jobId, repo: job.repo });
}

// The user part may be empty: Redis URLs carry a bare password as `redis://:password@host`.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)(?:[^/@\s:]+(?::[^/@\s]*)?|:[^/@\s]*)@/gi;

export function redactUrl(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1[redacted]@');
}

function scrubUrls(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrubUrls(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubUrls(v, depth + 1);
  return out;
}
