/**
 * Redis connections. Workers block on Redis and must retry forever
 * (`maxRetriesPerRequest: null`, as BullMQ requires); producers answer a caller
 * and must fail fast when Redis is down rather than queue commands in memory.
 * Credentials and TLS come from the URL alone (`redis://user:password@host:port`,
 * `rediss://` for TLS): ioredis reads them, and BullMQ's own connections copy them.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.ts';

export type { Redis };

export type RedisRole = 'worker' | 'producer';

export function redisOptions(role: RedisRole): RedisOptions {
  if (role === 'worker') return { maxRetriesPerRequest: null, enableReadyCheck: true };
  return {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 3000,
    // Keep reconnecting in the background so the producer recovers when Redis returns.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
}

export function createRedis(url: string, role: RedisRole): Redis {
  return new Redis(url, { ...redisOptions(role), lazyConnect: false });
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitForReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** One PING with a deadline; never throws. */
export async function pingRedis(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Whether an error means Redis is not there right now (down, restarting, loading its data),
 * as opposed to a reply Redis gave: the first is worth waiting out, the second is not.
 */
export function isRedisUnavailable(err: unknown): boolean {
  const e = err as { message?: unknown; code?: unknown; name?: unknown } | null;
  if (!e) return false;
  if (
    typeof e.code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTCONN)$/.test(e.code)
  )
    return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|Connection is closed|max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)\b/.test(
      message,
    )
  );
}

/** A Redis setting selfreview depends on, found wrong (or unreadable) at start. */
export type RedisSettingsProblem = {
  /**
   * `eviction`: Redis may evict BullMQ's keys (jobs, locks) under memory pressure, which loses
   * work silently; `persistence`: a restart of Redis loses queued work and runs in progress;
   * `unreadable`: CONFIG GET was refused (managed Redis often does), so nothing was checked.
   */
  kind: 'eviction' | 'persistence' | 'unreadable';
  message: string;
};

const MAKE_SURE =
  'make sure maxmemory-policy is noeviction and persistence is on (appendonly yes, or RDB snapshots with save)';

/** One setting by CONFIG GET; throws the reply error when CONFIG is refused. */
async function configGet(redis: Redis, name: string): Promise<string | null> {
  const reply: unknown = await redis.call('CONFIG', 'GET', name);
  // RESP2 answers [name, value]; RESP3 a map.
  if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : null;
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : null;
  if (reply && typeof reply === 'object' && name in reply)
    return String((reply as Record<string, unknown>)[name]);
  return null;
}

/**
 * What is wrong with this Redis for selfreview: BullMQ needs `maxmemory-policy noeviction`, and
 * without AOF or RDB a restart loses queued work and the state of runs. Errors other than a
 * refused CONFIG (Redis not there) are thrown: nothing could be checked, and that is not a setting.
 */
export async function checkRedisSettings(redis: Redis): Promise<RedisSettingsProblem[]> {
  let policy: string | null;
  let appendonly: string | null;
  let save: string | null;
  try {
    policy = await configGet(redis, 'maxmemory-policy');
    appendonly = await configGet(redis, 'appendonly');
    save = await configGet(redis, 'save');
  } catch (err) {
    if (isRedisUnavailable(err)) throw err;
    return [
      {
        kind: 'unreadable',
        // "ERR unknown command 'CONFIG', with args beginning with: …": the first clause says it.
        message: `cannot read Redis settings (CONFIG GET refused: ${(err as Error).message.split(',')[0]}): ${MAKE_SURE}`,
      },
    ];
  }
  // A proxy may answer CONFIG GET with nothing rather than refuse it: just as unknown.
  if (policy === null || (appendonly === null && save === null)) {
    return [
      {
        kind: 'unreadable',
        message: `cannot read Redis settings (CONFIG GET answered nothing): ${MAKE_SURE}`,
      },
    ];
  }
  const problems: RedisSettingsProblem[] = [];
  if (policy !== 'noeviction') {
    problems.push({
      kind: 'eviction',
      message: `Redis maxmemory-policy is ${policy}, but BullMQ needs noeviction (an evicted job or lock loses work): set maxmemory-policy noeviction`,
    });
  }
  if (appendonly !== 'yes' && (save ?? '').trim() === '') {
    problems.push({
      kind: 'persistence',
      message:
        'Redis has no persistence (appendonly no, save ""): a restart of Redis loses queued work and the runs in progress; turn on AOF (appendonly yes) or RDB snapshots (save)',
    });
  }
  return problems;
}

/** Where a connection points, without its credentials: for messages. */
export function redisLocation(redis: Redis): string {
  const o = redis.options;
  const where = o.path ? o.path : `${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`;
  return `${o.tls ? 'rediss' : 'redis'}://${where}`;
}

/**
 * Whether the Redis behind `redis` answers a client that gives no credentials: a second,
 * short-lived connection to the same place (TLS included) without user and password sends
 * PING. true: it answered (no password needed); false: it wants one (NOAUTH, NOPERM); null:
 * the probe could not tell (it did not connect).
 */
export async function redisAnswersWithoutAuth(redis: Redis, timeoutMs = 3000): Promise<boolean | null> {
  const o = redis.options;
  const probe = new Redis({
    ...(o.path ? { path: o.path } : { host: o.host ?? '127.0.0.1', port: o.port ?? 6379 }),
    ...(o.tls ? { tls: o.tls } : {}),
    ...(o.family ? { family: o.family } : {}),
    lazyConnect: true,
    // The ready check's INFO would be refused the same way; PING is the question.
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch (err) {
    return /NOAUTH|NOPERM|WRONGPASS|authentication required/i.test((err as Error).message) ? false : null;
  } finally {
    probe.disconnect();
  }
}

/** The password infra/redis.conf ships with: a Redis still using it is as open as one without. */
export const REDIS_PASSWORD_PLACEHOLDER = 'change-me-to-a-long-random-password';

/**
 * SELFREVIEW_REDIS_AUTH: `required` (the default) or `optional`. In server mode
 * (SELFREVIEW_SERVER_CONFIG set) a Redis anyone can talk to without a password is refused unless
 * it is `optional`: whoever reaches it can edit jobs and read every run.
 */
async function redisAuthOk(opts: {
  redis: Redis;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  who: string;
}): Promise<boolean> {
  const mode = opts.env.SELFREVIEW_REDIS_AUTH ?? 'required';
  const refuse = (line: string) => {
    opts.log.fatal(line);
    process.stderr.write(`selfreview ${opts.who}: ${line}\n`);
    return false;
  };
  if (mode !== 'required' && mode !== 'optional')
    return refuse(`SELFREVIEW_REDIS_AUTH must be required or optional, got ${JSON.stringify(mode)}`);
  if (!opts.env.SELFREVIEW_SERVER_CONFIG || mode === 'optional') return true;
  if (opts.redis.options.password === REDIS_PASSWORD_PLACEHOLDER) {
    return refuse(
      `Redis at ${redisLocation(opts.redis)} still has the placeholder password of infra/redis.conf: set requirepass to a password of your own, and put it in REDIS_URL`,
    );
  }
  const open = await redisAnswersWithoutAuth(opts.redis);
  if (open === true) {
    return refuse(
      `Redis at ${redisLocation(opts.redis)} answers without a password: a server needs one (requirepass or an ACL user; REDIS_URL redis://user:password@host:port, rediss:// for TLS), or set SELFREVIEW_REDIS_AUTH=optional to start anyway`,
    );
  }
  if (open === null)
    opts.log.warn(`could not tell whether Redis at ${redisLocation(opts.redis)} needs a password`);
  return true;
}

/**
 * The settings check at a process's start, as the three workers and the gateway run it: a wrong
 * eviction policy is one line and `false` (the caller exits 2) unless SELFREVIEW_REDIS_CHECK=warn;
 * missing persistence and unreadable settings are warnings. SELFREVIEW_REDIS_EPHEMERAL=1 (set by
 * `selfreview run` for its private, throw-away redis-server) leaves out the persistence warning.
 * In server mode a Redis without a password is refused too (SELFREVIEW_REDIS_AUTH).
 */
export async function redisSettingsOkAtStart(opts: {
  redis: Redis;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** Who is starting, for the stderr line (e.g. `scan worker`). */
  who: string;
}): Promise<boolean> {
  const mode = opts.env.SELFREVIEW_REDIS_CHECK ?? 'strict';
  if (mode !== 'strict' && mode !== 'warn') {
    const line = `SELFREVIEW_REDIS_CHECK must be strict or warn, got ${JSON.stringify(mode)}`;
    opts.log.fatal(line);
    process.stderr.write(`selfreview ${opts.who}: ${line}\n`);
    return false;
  }
  let ok = await redisAuthOk(opts);
  for (const problem of await checkRedisSettings(opts.redis)) {
    if (problem.kind === 'persistence' && opts.env.SELFREVIEW_REDIS_EPHEMERAL === '1') continue;
    if (problem.kind === 'eviction' && mode === 'strict') {
      const line = `${problem.message} (or set SELFREVIEW_REDIS_CHECK=warn to start anyway)`;
      opts.log.fatal(line);
      process.stderr.write(`selfreview ${opts.who}: ${line}\n`);
      ok = false;
    } else {
      opts.log.warn(problem.message);
    }
  }
  return ok;
}
