/**
 * Token budgets per item, batch, run and repository per day, kept in Redis so that every
 * worker process draws from the same ones. A call first reserves its worst case (the prompt's
 * estimate plus the answer's max_tokens) in all four at once, atomically, and only if none
 * would go over; afterwards the reservation is settled to what the response's usage says.
 * So a budget is never exceeded by more than the estimate's error, and a call that would
 * exceed one is never made.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export const BUDGET_SCOPES = ['item', 'batch', 'run', 'repoDay'] as const;
export type BudgetScopeName = (typeof BUDGET_SCOPES)[number];
export type BudgetLimits = Record<BudgetScopeName, number>;

/** Which item, batch, run and repository a call is for, and that repository's limits. */
export type BudgetScope = {
  repo: string;
  runId: string;
  batchId: string;
  itemId: string;
  limits: BudgetLimits;
};

export type Reservation = { keys: string[]; tokens: number };

export type ReserveResult =
  | { ok: true; reservation: Reservation; warnings: string[] }
  | { ok: false; scope: BudgetScopeName; used: number; limit: number };

/** Share of a budget at which a warning is logged and shown, once per budget. */
export const WARN_AT = 0.8;
const DAY_S = 24 * 60 * 60;

// KEYS: four counters, then four "warned" flags. ARGV: tokens, four limits, ttl seconds.
// Returns {0, index, used} when a counter would pass its limit; else {1, w1..w4}, wi = 1 when
// counter i just crossed the warning share for the first time.
const RESERVE = `
local tokens = tonumber(ARGV[1])
for i = 1, 4 do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used + tokens > tonumber(ARGV[i + 1]) then return {0, i, used} end
end
local out = {1}
for i = 1, 4 do
  local used = redis.call('INCRBY', KEYS[i], tokens)
  redis.call('EXPIRE', KEYS[i], ARGV[6])
  local warn = 0
  if used >= tonumber(ARGV[i + 1]) * tonumber(ARGV[7]) and redis.call('SET', KEYS[i + 4], '1', 'NX', 'EX', ARGV[6]) then
    warn = 1
  end
  out[i + 1] = warn
end
return out
`;

export class TokenBudget {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** All of one repository's counters share a hash tag, so the script works on Redis Cluster too. */
  private keys(scope: BudgetScope): string[] {
    const tag = createHash('sha256').update(scope.repo).digest('hex').slice(0, 16);
    const day = this.now().toISOString().slice(0, 10);
    const base = `${this.prefix}:llm:{${tag}}`;
    return [
      `${base}:item:${scope.runId}:${scope.batchId}:${scope.itemId}`,
      `${base}:batch:${scope.runId}:${scope.batchId}`,
      `${base}:run:${scope.runId}`,
      `${base}:day:${day}`,
    ];
  }

  async reserve(scope: BudgetScope, tokens: number): Promise<ReserveResult> {
    const counters = this.keys(scope);
    const flags = counters.map((k) => `${k}:warned`);
    const res = (await this.redis.eval(
      RESERVE,
      8,
      ...counters,
      ...flags,
      String(Math.ceil(tokens)),
      ...BUDGET_SCOPES.map((s) => String(scope.limits[s])),
      String(2 * DAY_S),
      String(WARN_AT),
    )) as number[];
    if (res[0] === 0) {
      const scopeName = BUDGET_SCOPES[(res[1] ?? 1) - 1] ?? 'item';
      return { ok: false, scope: scopeName, used: Number(res[2] ?? 0), limit: scope.limits[scopeName] };
    }
    const warnings = BUDGET_SCOPES.filter((_, i) => res[i + 1] === 1).map(
      (s) =>
        `model token budget per ${describe(s)} is ${Math.round(WARN_AT * 100)}% used (limit ${scope.limits[s]} tokens)`,
    );
    return { ok: true, reservation: { keys: counters, tokens: Math.ceil(tokens) }, warnings };
  }

  /** Replaces the reservation by what the call really used (less, or, rarely, more than estimated). */
  async settle(reservation: Reservation, usedTokens: number): Promise<void> {
    const delta = Math.ceil(usedTokens) - reservation.tokens;
    if (delta === 0) return;
    const multi = this.redis.multi();
    for (const k of reservation.keys) multi.incrby(k, delta);
    await multi.exec();
  }

  async usage(scope: BudgetScope): Promise<BudgetLimits> {
    const values = await this.redis.mget(...this.keys(scope));
    return Object.fromEntries(BUDGET_SCOPES.map((s, i) => [s, Number(values[i] ?? 0)])) as BudgetLimits;
  }
}

function describe(scope: BudgetScopeName): string {
  return scope === 'repoDay' ? 'repository per day' : scope;
}
