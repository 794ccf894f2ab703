/**
 * The operators' audit log: every state-changing request an authenticated operator makes
 * (through the API, or refused at the read-only dashboard or by the same-origin check), with
 * who, what, on what, when, from where and how it ended. Kept twice: in Redis, a list capped
 * at `maxEntries` (newest first, read by `GET /api/audit`), and as a pino line, so the record
 * survives in the process's logs when Redis does not.
 */
import type { Logger } from '@selfreview/shared/logger';
import type { Redis } from '@selfreview/shared/redis';
import { z } from 'zod';

export const AuditEntry = z.object({
  /** ISO time the request was answered. */
  at: z.string(),
  /** The authenticated user name. */
  user: z.string(),
  /** The peer address of the connection (no proxy header is trusted: the gateway sets trustProxy off). */
  address: z.string(),
  /** A name for what was asked, e.g. `queue.job.retry`, or `METHOD /route` where the route names none. */
  action: z.string(),
  /** What it was asked of: the route's parameters, e.g. `scan/42` or `web`; empty when it has none. */
  target: z.string(),
  /** The HTTP status answered: 2xx done, 4xx refused, 5xx failed. */
  status: z.number().int(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Enough for months of operator actions; a flood (a script gone wrong) cannot grow Redis unbounded. */
export const DEFAULT_AUDIT_MAX_ENTRIES = 10_000;
/** Parameters are the client's text: bounded, so an entry stays small whatever was sent. */
const MAX_FIELD_CHARS = 200;

export class AuditLog {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly log: Logger,
    private readonly maxEntries = DEFAULT_AUDIT_MAX_ENTRIES,
  ) {
    this.key = `${prefix}:audit`;
  }

  /** Logs the entry, then stores it; a Redis error is thrown after the log line is written. */
  async record(entry: AuditEntry): Promise<void> {
    const bounded: AuditEntry = {
      ...entry,
      action: entry.action.slice(0, MAX_FIELD_CHARS),
      target: entry.target.slice(0, MAX_FIELD_CHARS),
    };
    this.log.info({ audit: bounded }, 'operator action');
    // One transaction: the list never holds more than maxEntries, even between the two commands.
    const results = await this.redis
      .multi()
      .lpush(this.key, JSON.stringify(bounded))
      .ltrim(this.key, 0, this.maxEntries - 1)
      .exec();
    // A transaction reports a failed command in its results, not by rejecting.
    const failed = results?.find(([err]) => err)?.[0];
    if (failed) throw failed;
    if (!results) throw new Error('audit entry not stored: transaction aborted');
  }

  /** The newest `limit` entries, newest first; entries that do not parse are left out. */
  async recent(limit: number): Promise<AuditEntry[]> {
    const raw = await this.redis.lrange(this.key, 0, limit - 1);
    const entries: AuditEntry[] = [];
    for (const text of raw) {
      try {
        const parsed = AuditEntry.safeParse(JSON.parse(text));
        if (parsed.success) entries.push(parsed.data);
      } catch {
        // Not written by record(): nothing an operator should be shown as an entry.
      }
    }
    return entries;
  }
}

/** A route's parameters as one short target string: values in route order, joined by `/`. */
export function auditTarget(params: unknown): string {
  if (params === null || typeof params !== 'object') return '';
  return Object.values(params as Record<string, unknown>)
    .filter((v): v is string => typeof v === 'string')
    .join('/')
    .slice(0, MAX_FIELD_CHARS);
}
