/**
 * Fixes by the model in a real fix processor, through the real Anthropic SDK against a loopback
 * server that speaks the Messages API: the fixture repository, the answers the tests script, and
 * the processor with the model set up from the environment.
 */
import { createFixProcessor, type ModelDeps } from '@selfreview/fix/processor';
import { analyzeFile } from '@selfreview/scan/analyze';
import { loadConfig } from '@selfreview/shared/config';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { TokenBudget } from '@selfreview/shared/model/budget';
import { createModel } from '@selfreview/shared/model/setup';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { fixItem } from './factories.ts';
import { type FakeAnthropic, startFakeAnthropic } from './fake-anthropic.ts';
import { git, makeRepo, removeDir, tempDir } from './git.ts';
import { cleanPrefix, connect, uniquePrefix } from './redis.ts';

export const API_KEY = 'sk-ant-loopback-test-key-0123456789';
export const ENV_SECRET = 'ghp_neverInAPrompt0123456789abcdefABCDEF';

export const TODO_LINE = '  // TODO: fix off-by-one: the last element is skipped';
export const A_TS = [
  'export function total(xs: number[]): number {',
  TODO_LINE,
  '  let sum = 0;',
  '  for (let i = 0; i < xs.length - 1; i++) sum += xs[i] ?? 0;',
  '  return sum;',
  '}',
  '',
].join('\n');
export const A_TEST = [
  'declare function it(name: string, fn: () => void): void;',
  '// TODO: fix the flaky second case',
  "it('adds', () => {});",
  "it('adds again', () => {});",
  '',
].join('\n');

export const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, types: [] },
    include: ['src'],
  }),
  'package.json': JSON.stringify({ name: 'm', private: true, scripts: { test: 'node test/check.cjs' } }),
  'test/check.cjs':
    "if (!require('node:fs').readFileSync('src/a.ts', 'utf8').includes('return sum')) process.exit(1);\n",
  'src/a.ts': A_TS,
  'src/a.test.ts': A_TEST,
  'src/other.ts': 'export const other = 1;\n',
  'selfreview.config.json': JSON.stringify({ llm: { maxOutputTokens: 1024 } }),
};

export const GOOD_EDITS = {
  summary: 'Sum every element and drop the resolved TODO.',
  edits: [
    { file: 'src/a.ts', old_text: `${TODO_LINE}\n`, new_text: '' },
    { file: 'src/a.ts', old_text: 'i < xs.length - 1', new_text: 'i < xs.length' },
  ],
};

function todoItems(file: string, text: string): FixItem[] {
  return analyzeFile(file, text, { rules: ['todo-comment'] }).candidates.map((candidate) =>
    fixItem(candidate, { changeType: 'resolve_todo', confidence: 0.85 }),
  );
}

/** A model answer that calls the edit tool with `input`. */
export const edit = (input: unknown) => ({ kind: 'tool_use' as const, name: 'propose_edits', input });

/**
 * The model fixer of the calling describe block: a loopback Anthropic server, a repository of
 * FILES at its base commit, and the model set up from the environment as a deployment does,
 * with a GitHub token in that environment that must never reach a prompt. `fake`, `repo` and
 * `dataDir` are there once beforeAll has run; each `job()` is a new run and batch.
 */
export function modelFixTestBed() {
  const prefix = uniquePrefix('model');
  const redis = connect();
  const runs = new RunStore(redis, prefix);
  const lifecycle = new RunLifecycle(redis, prefix);
  const log = pino({ level: 'silent' });
  const ctx = { job: { id: 'test' } as unknown as Job, log };
  let fake: FakeAnthropic;
  let repo: string;
  let dataDir: string;
  let sha: string;
  let model: ModelDeps;
  let n = 0;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: API_KEY });
    repo = await makeRepo(FILES);
    dataDir = await tempDir();
    sha = await git(repo, 'rev-parse', 'HEAD');
    const env = {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_MODEL_TIMEOUT_SECONDS: '2',
      SELFREVIEW_MODEL_MAX_RETRIES: '2',
      GITHUB_TOKEN: ENV_SECRET,
    };
    const setup = createModel({ config: loadConfig(env), env, redis, runs, log });
    if (!setup) throw new Error('the model should be on with a key');
    model = setup;
  });
  afterEach(() => {
    // A test that leaves scripted replies would leak them into the next one.
    fake.unscripted();
  });
  afterAll(async () => {
    await fake.close();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  const job = (file = 'src/a.ts', text = A_TS, repoPath = repo, base = sha): FixJob => {
    n += 1;
    return {
      runId: `run-model-${n}`,
      repo: { path: repoPath },
      baseBranch: 'main',
      baseSha: base,
      batchId: `b-${n}`,
      files: [{ file, items: todoItems(file, text) }],
    };
  };
  const processor = (extra: Partial<Parameters<typeof createFixProcessor>[0]> = {}) =>
    createFixProcessor({ runs, lifecycle, dataDir, model, ...extra });
  const branchFiles = async (branch: string) => git(repo, 'diff', '--name-only', sha, branch);
  const budgetUsed = async (data: FixJob) =>
    new TokenBudget(redis, prefix).usage({
      repo,
      runId: data.runId,
      batchId: data.batchId,
      itemId: data.files[0]?.items[0]?.candidate.id ?? '',
      limits: { item: 20_000, batch: 60_000, run: 400_000, repoDay: 2_000_000 },
    });

  return {
    prefix,
    redis,
    runs,
    log,
    ctx,
    job,
    processor,
    branchFiles,
    budgetUsed,
    get fake() {
      return fake;
    },
    get repo() {
      return repo;
    },
    get dataDir() {
      return dataDir;
    },
  };
}
