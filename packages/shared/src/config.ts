/**
 * Configuration, parsed once in each entrypoint: `loadConfig(env)` for the process,
 * `parseRepoConfig(text, fileName)` for a repository's selfreview.config.{json,yaml}.
 * Nothing here reads the environment at import time, so tests pass their own.
 */
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const ServiceConfig = z.object({
  redisUrl: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }),
  /** Prefix of every Redis key selfreview writes (BullMQ queues included). */
  prefix: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'expected 1-32 letters, digits, _ or -'),
  /** Where run artifacts (candidate lists) and temporary worktrees live. */
  dataDir: z.string().min(1),
  logLevel: z.enum(LOG_LEVELS),
  concurrency: z.coerce.number().int().min(1).max(64),
  /** Batches the fix worker runs at once (any repositories; each repository's `fix.concurrency` bounds its own). */
  fixConcurrency: z.coerce.number().int().min(1).max(64),
  /** Worktrees the fix worker keeps per repository between batches of one commit; 0: none. */
  fixKeptWorktrees: z.coerce.number().int().min(0).max(16),
  /**
   * How long a job's lock lives without renewal, and how often stalled jobs are looked for:
   * a job whose worker died is taken over within about twice this.
   */
  jobLockSeconds: z.coerce.number().int().min(2).max(600),
  /** The model: which one, where (a gateway or a local endpoint speaking the Messages API), and how patiently. */
  modelName: z.string().min(1),
  modelBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The NAME of the variable holding the API key; without a key the model path is off. */
  modelApiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'expected an environment variable name'),
  modelTimeoutSeconds: z.coerce.number().positive().max(600),
  /** SDK retries of 429/529/5xx per call; with the timeout this bounds a call's time. */
  modelMaxRetries: z.coerce.number().int().min(0).max(5),
  /**
   * The operator's ceilings on the token budgets, on by default: a repository's own
   * configuration can lower its budgets, never raise them above these.
   */
  modelBudgetCaps: z.object({
    item: z.coerce.number().int().positive(),
    batch: z.coerce.number().int().positive(),
    run: z.coerce.number().int().positive(),
    repoDay: z.coerce.number().int().positive(),
  }),
  /**
   * The operator's ceilings on how long repository work may take, on by default: a
   * repository's selfreview.config may lower these, never raise them (applyOperatorCaps).
   */
  timeCaps: z.object({
    fixMinutes: z.coerce.number().positive().max(120),
    testSeconds: z.coerce.number().int().positive().max(3600),
    typecheckSeconds: z.coerce.number().int().positive().max(3600),
    setupSeconds: z.coerce.number().int().positive().max(3600),
  }),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

/**
 * The model when SELFREVIEW_MODEL is unset: Anthropic's current Sonnet. claude-sonnet-4-5, the
 * earlier default, reached its end of life on 2026-11-30 (@anthropic-ai/sdk's deprecated models).
 */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

const ENV_KEYS: Record<keyof ServiceConfig, string> = {
  redisUrl: 'REDIS_URL',
  prefix: 'SELFREVIEW_PREFIX',
  dataDir: 'SELFREVIEW_DATA_DIR',
  logLevel: 'LOG_LEVEL',
  concurrency: 'SELFREVIEW_CONCURRENCY',
  fixConcurrency: 'SELFREVIEW_FIX_CONCURRENCY',
  fixKeptWorktrees: 'SELFREVIEW_FIX_KEPT_WORKTREES',
  jobLockSeconds: 'SELFREVIEW_JOB_LOCK_SECONDS',
  modelName: 'SELFREVIEW_MODEL',
  modelBaseUrl: 'ANTHROPIC_BASE_URL',
  modelApiKeyEnv: 'SELFREVIEW_MODEL_API_KEY_ENV',
  modelTimeoutSeconds: 'SELFREVIEW_MODEL_TIMEOUT_SECONDS',
  modelMaxRetries: 'SELFREVIEW_MODEL_MAX_RETRIES',
  modelBudgetCaps: 'SELFREVIEW_MODEL_CAP_{ITEM,BATCH,RUN,REPO_DAY}',
  timeCaps: 'SELFREVIEW_CAP_{FIX_MINUTES,TEST_SECONDS,TYPECHECK_SECONDS,SETUP_SECONDS}',
};

/**
 * The ceilings when the operator sets none: room above a repository's defaults (20k, 60k, 400k,
 * 2M tokens; 10 min, 600/300/300 s), so a repository can ask for somewhat more, but not without bound.
 */
export const DEFAULT_OPERATOR_CAPS = {
  model: { item: 40_000, batch: 120_000, run: 800_000, repoDay: 4_000_000 },
  time: { fixMinutes: 30, testSeconds: 1200, typecheckSeconds: 900, setupSeconds: 900 },
} as const;

/**
 * The fix worker's batches at once when SELFREVIEW_FIX_CONCURRENCY is unset: half the cores,
 * at least one. A batch is not one process's work: its typecheck is a tsc (or several) that
 * keeps a core busy and holds the whole program in memory, and its tests start a runner that
 * spreads over the cores itself, so two batches per two cores already share them. More batches
 * than half the cores would mostly make each batch slower and risk its time limit.
 */
export function defaultFixConcurrency(cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const raw = {
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: env.SELFREVIEW_PREFIX ?? 'selfreview',
    dataDir: env.SELFREVIEW_DATA_DIR ?? path.join(os.homedir(), '.cache', 'selfreview'),
    logLevel: env.LOG_LEVEL ?? 'info',
    concurrency: env.SELFREVIEW_CONCURRENCY ?? '1',
    fixConcurrency: env.SELFREVIEW_FIX_CONCURRENCY ?? defaultFixConcurrency(),
    fixKeptWorktrees: env.SELFREVIEW_FIX_KEPT_WORKTREES ?? '2',
    jobLockSeconds: env.SELFREVIEW_JOB_LOCK_SECONDS ?? '30',
    modelName: env.SELFREVIEW_MODEL ?? DEFAULT_MODEL,
    modelBaseUrl: env.ANTHROPIC_BASE_URL || undefined,
    modelApiKeyEnv: env.SELFREVIEW_MODEL_API_KEY_ENV ?? 'ANTHROPIC_API_KEY',
    modelTimeoutSeconds: env.SELFREVIEW_MODEL_TIMEOUT_SECONDS ?? '120',
    modelMaxRetries: env.SELFREVIEW_MODEL_MAX_RETRIES ?? '2',
    modelBudgetCaps: {
      item: env.SELFREVIEW_MODEL_CAP_ITEM || DEFAULT_OPERATOR_CAPS.model.item,
      batch: env.SELFREVIEW_MODEL_CAP_BATCH || DEFAULT_OPERATOR_CAPS.model.batch,
      run: env.SELFREVIEW_MODEL_CAP_RUN || DEFAULT_OPERATOR_CAPS.model.run,
      repoDay: env.SELFREVIEW_MODEL_CAP_REPO_DAY || DEFAULT_OPERATOR_CAPS.model.repoDay,
    },
    timeCaps: {
      fixMinutes: env.SELFREVIEW_CAP_FIX_MINUTES || DEFAULT_OPERATOR_CAPS.time.fixMinutes,
      testSeconds: env.SELFREVIEW_CAP_TEST_SECONDS || DEFAULT_OPERATOR_CAPS.time.testSeconds,
      typecheckSeconds: env.SELFREVIEW_CAP_TYPECHECK_SECONDS || DEFAULT_OPERATOR_CAPS.time.typecheckSeconds,
      setupSeconds: env.SELFREVIEW_CAP_SETUP_SECONDS || DEFAULT_OPERATOR_CAPS.time.setupSeconds,
    },
  };
  const parsed = ServiceConfig.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid environment: ${formatIssues(parsed.error, (key) => ENV_KEYS[key as keyof ServiceConfig] ?? key)}`,
    );
  }
  return parsed.data;
}

/**
 * The settings of the checks under `rules`: for each check, by its id, `enabled` and the
 * check's own options. Empty here, since shared names no check: @selfreview/checks declares
 * the entries (declaration merging) and registers their schema when its registry loads.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by @selfreview/checks (declaration merging)
export interface CheckSettings {}

const CommandConfig = z
  .object({
    /** argv, not a shell string: nothing from the repository is ever interpreted by a shell. */
    command: z.array(z.string().min(1)).min(1).optional(),
    timeoutSeconds: z.number().int().positive().max(3600).default(300),
  })
  .strict();

/**
 * A repository's own settings. Every key is optional and has a default
 * (`prefault` runs the default through the schema, so nested defaults apply too).
 */
const RepoConfigBase = z
  .object({
    apply: z
      .object({
        confidenceThreshold: z.number().min(0).max(1).default(0.7),
        /** A finding fixed, rejected or failed this many days ago or less is not queued again. */
        memoryDays: z.number().min(0).max(365).default(14),
      })
      .strict()
      .prefault({}),
    fix: z
      .object({
        maxFiles: z.number().int().min(1).max(20).default(2),
        maxMinutes: z.number().positive().max(120).default(10),
        /**
         * The most batches of this repository at once, each in its own worktree on its own
         * branch, never two touching the same file. 1 (one at a time) unless the repository
         * says otherwise: its tests may use what two runs at once would share (a port, a
         * database, a fixed path outside the worktree when the sandbox is off), which only its
         * owners know; and on two busy cores 2 cut the time by only 20-45% (services/fix/README.md).
         */
        concurrency: z
          .number({ error: 'expected a whole number of batches from 1 to 16' })
          .int({ error: 'expected a whole number of batches from 1 to 16' })
          .min(1, { error: 'expected at least 1 batch at a time' })
          .max(16, { error: 'expected at most 16 batches at a time' })
          .default(1),
        typecheck: CommandConfig.prefault({}),
        test: CommandConfig.extend({
          timeoutSeconds: z.number().int().positive().max(3600).default(600),
          /**
           * `related`: only the tests that import the changed files (vitest `related`, jest
           * `--findRelatedTests`), the whole suite where the runner can't tell; `all`: the whole suite.
           */
          scope: z.enum(['related', 'all']).default('related'),
        }).prefault({}),
        /** Run in each fresh worktree before verification (a build step some repositories need first). */
        setup: CommandConfig.prefault({}),
      })
      .strict()
      .prefault({}),
    /** The model's token budgets (input + output, from the responses' usage) and its answers' size. */
    llm: z
      .object({
        budgets: z
          .object({
            item: z.number().int().positive().default(20_000),
            batch: z.number().int().positive().default(60_000),
            run: z.number().int().positive().default(400_000),
            repoDay: z.number().int().positive().default(2_000_000),
          })
          .strict()
          .prefault({}),
        /** max_tokens of one answer. */
        maxOutputTokens: z.number().int().min(256).max(32_000).default(4096),
        /** apply asks the model about ambiguous candidates (never about hard rules). */
        secondOpinion: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** Globs of paths selfreview never changes. */
    protectedPaths: z.array(z.string()).default([]),
    /** Globs of paths selfreview does not scan. */
    ignore: z.array(z.string()).default([]),
  })
  .strict();

export interface RepoConfig extends z.infer<typeof RepoConfigBase> {
  rules: CheckSettings;
}

let rulesSchema: z.ZodType<CheckSettings> | undefined;
let cachedSchema: z.ZodType<RepoConfig> | undefined;

/**
 * The schema of `rules` (each check's `enabled` and options, defaults included, unknown keys
 * refused); @selfreview/checks's registry calls this when it loads.
 */
export function registerCheckSettings(schema: z.ZodType<CheckSettings>): void {
  rulesSchema = schema;
  cachedSchema = undefined;
}

/** The whole schema of a repository's settings, with the checks' part as registered. */
export function repoConfigSchema(): z.ZodType<RepoConfig> {
  if (!rulesSchema) {
    throw new Error(
      "no checks are registered: load @selfreview/checks (its registry) before reading a repository's configuration",
    );
  }
  cachedSchema ??= z
    .object({ rules: rulesSchema, ...RepoConfigBase.shape })
    .strict() as z.ZodType<RepoConfig>;
  return cachedSchema;
}

export const REPO_CONFIG_FILES = [
  'selfreview.config.json',
  'selfreview.config.yaml',
  'selfreview.config.yml',
];

/** The operator's ceilings, as a worker holds them. */
export type OperatorCaps = Pick<ServiceConfig, 'modelBudgetCaps' | 'timeCaps'>;

/**
 * A repository's configuration with every budget and time limit lowered to the operator's
 * ceiling, and one warning (for the run) per value that was lowered. A repository may ask for
 * less than the ceiling, never more: its selfreview.config is written by whoever can push.
 */
export function applyOperatorCaps(
  config: RepoConfig,
  caps: OperatorCaps,
): { config: RepoConfig; warnings: string[] } {
  const warnings: string[] = [];
  const clamp = (key: string, value: number, cap: number, unit: string): number => {
    if (value <= cap) return value;
    warnings.push(
      `selfreview.config asks for ${key} ${value}${unit}, above the operator's ceiling of ${cap}${unit}: ${cap}${unit} is used`,
    );
    return cap;
  };
  const b = config.llm.budgets;
  const m = caps.modelBudgetCaps;
  const t = caps.timeCaps;
  const fix = config.fix;
  return {
    config: {
      ...config,
      llm: {
        ...config.llm,
        budgets: {
          item: clamp('llm.budgets.item', b.item, m.item, ' tokens'),
          batch: clamp('llm.budgets.batch', b.batch, m.batch, ' tokens'),
          run: clamp('llm.budgets.run', b.run, m.run, ' tokens'),
          repoDay: clamp('llm.budgets.repoDay', b.repoDay, m.repoDay, ' tokens'),
        },
      },
      fix: {
        ...fix,
        maxMinutes: clamp('fix.maxMinutes', fix.maxMinutes, t.fixMinutes, ' min'),
        test: {
          ...fix.test,
          timeoutSeconds: clamp('fix.test.timeoutSeconds', fix.test.timeoutSeconds, t.testSeconds, ' s'),
        },
        typecheck: {
          ...fix.typecheck,
          timeoutSeconds: clamp(
            'fix.typecheck.timeoutSeconds',
            fix.typecheck.timeoutSeconds,
            t.typecheckSeconds,
            ' s',
          ),
        },
        setup: {
          ...fix.setup,
          timeoutSeconds: clamp('fix.setup.timeoutSeconds', fix.setup.timeoutSeconds, t.setupSeconds, ' s'),
        },
      },
    },
    warnings,
  };
}

export function defaultRepoConfig(): RepoConfig {
  return repoConfigSchema().parse({});
}

/** Parses a repository config file's text; the error names the file, the key and what was expected. */
export function parseRepoConfig(text: string, fileName: string): RepoConfig {
  return parseConfigFile(text, fileName, repoConfigSchema());
}

/**
 * A configuration file's text (JSON by its name, YAML otherwise; empty means all defaults)
 * validated by `schema`; errors name the file, the key and what was expected.
 */
export function parseConfigFile<S extends z.ZodType>(text: string, fileName: string, schema: S): z.infer<S> {
  let data: unknown;
  try {
    data = fileName.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `${fileName}: not valid ${fileName.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
  const parsed = schema.safeParse(data ?? {});
  if (!parsed.success) throw new ConfigError(`${fileName}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

function formatIssues(error: z.ZodError, keyName: (key: string) => string = (k) => k): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${issue.path.length === 1 ? keyName(key) : key}: ${issue.message}`;
    })
    .join('; ');
}
