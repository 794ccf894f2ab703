/**
 * What every group of API routes shares: what they are given (`ApiDeps`), the refusal with a
 * status (`HttpError`), the checks of the parameters they take, and `parse`, which turns a
 * failed check into a 400 naming the keys.
 */
import type { RepoPauses } from '@selfreview/shared/pauses';
import type { Redis } from '@selfreview/shared/redis';
import type { RunStore } from '@selfreview/shared/runs';
import type { ServerConfig } from '@selfreview/shared/server-config';
import { z } from 'zod';
import type { AuditLog } from '../audit.ts';
import type { GatewayQueues } from '../queues.ts';

export type ApiDeps = {
  queues: GatewayQueues;
  runs: RunStore;
  pauses: RepoPauses;
  serverConfig: ServerConfig;
  redis: Redis;
  prefix: string;
  audit: AuditLog;
};

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const RunId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, _ or -');
export const RepoName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, _ . or -');
export const QueueParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a queue name');
export const JobIdParam = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'expected a job id');
export const limit = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** The POSTs take no options: no body, or an empty JSON object. */
export const EmptyBody = z.object({}).strict().nullish();

export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value ?? (what === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.map(String).join('.');
    return `${keys || what}: ${i.message}`;
  });
  throw new HttpError(400, `invalid ${what}: ${issues.join('; ')}`);
}
