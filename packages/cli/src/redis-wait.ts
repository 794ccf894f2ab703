/**
 * The CLI's patience with Redis. Its connection fails fast while Redis is away (a producer: no
 * commands queued in memory) and reconnects in the background; a restart of Redis must not end
 * a run that the workers will carry on once Redis is back, so the CLI waits for it, within a bound.
 */
import { UserInputError } from '@selfreview/shared/errors';
import { redactUrl } from '@selfreview/shared/logger';
import { isRedisUnavailable } from '@selfreview/shared/redis';

export const DEFAULT_REDIS_WAIT_SECONDS = 120;

/** SELFREVIEW_REDIS_WAIT_SECONDS: how long `run` waits for a Redis that stopped answering. */
export function redisWaitSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.SELFREVIEW_REDIS_WAIT_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_REDIS_WAIT_SECONDS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 86_400)
    throw new UserInputError(
      `SELFREVIEW_REDIS_WAIT_SECONDS must be a whole number of seconds from 1 to 86400, got ${JSON.stringify(raw)}`,
    );
  return n;
}

/** Redis stayed away for longer than the bound. */
export class RedisGoneError extends Error {}

/**
 * Tracks one outage at a time: the first failed call says that Redis is away and how long the
 * CLI will wait, the first answer after says it is back, and a failure past the bound throws.
 */
export class RedisPatience {
  private downSince: number | null = null;
  /** Whether Redis was away at least once since this started: a restart, most likely. */
  sawOutage = false;

  constructor(
    private readonly opts: {
      url: string;
      waitSeconds: number;
      say: (line: string) => void;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Whether Redis is being waited for now. */
  get waiting(): boolean {
    return this.downSince !== null;
  }

  /** A call answered. */
  answered(): void {
    if (this.downSince === null) return;
    const away = Math.round((this.now() - this.downSince) / 1000);
    this.downSince = null;
    this.opts.say(`Redis is back (away about ${away} s); the run goes on.`);
  }

  /**
   * A call failed: an error that is not a lost connection is rethrown as it is; a lost connection
   * starts (or continues) the wait, and throws RedisGoneError once it has lasted past the bound.
   */
  failed(err: unknown): void {
    if (!isRedisUnavailable(err)) throw err;
    const now = this.now();
    if (this.downSince === null) {
      this.downSince = now;
      this.sawOutage = true;
      this.opts.say(
        `Redis at ${redactUrl(this.opts.url)} is not answering; waiting (up to ${this.opts.waitSeconds} s)…`,
      );
    }
    if (now - this.downSince >= this.opts.waitSeconds * 1000) {
      throw new RedisGoneError(
        `Redis at ${redactUrl(this.opts.url)} did not answer for ${this.opts.waitSeconds} s (SELFREVIEW_REDIS_WAIT_SECONDS); the run's state stays in Redis if it comes back (selfreview status)`,
      );
    }
  }

  /**
   * `fn` until it answers, waiting out an outage (bounded); `stop` is checked between attempts so
   * an interrupt is not held up by the wait.
   */
  async call<T>(fn: () => Promise<T>, stop: () => void = () => {}, pollMs = 500): Promise<T> {
    for (;;) {
      try {
        const value = await fn();
        this.answered();
        return value;
      } catch (err) {
        this.failed(err);
      }
      stop();
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
