/**
 * Issue 6's acceptance: fixes by the model, through the real Anthropic SDK against a loopback
 * server that speaks the Messages API, inside the same verification and hard gates as the
 * codemods, and inside token budgets that are never exceeded.
 */
import { createFixProcessor, type ModelDeps } from '@selfreview/fix/processor';
import { analyzeFile } from '@selfreview/scan/analyze';
import { loadConfig } from '@selfreview/shared/config';
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { FindingMemory } from '@selfreview/shared/memory';
import { TokenBudget } from '@selfreview/shared/model/budget';
import { createModel } from '@selfreview/shared/model/setup';
import type { FixJob } from '@selfreview/shared/queues';
import { RunStore } from '@selfreview/shared/runs';
import type { FixItem } from '@selfreview/shared/schemas';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixItem } from './helpers/factories.ts';
import { type FakeAnthropic, startFakeAnthropic } from './helpers/fake-anthropic.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, uniquePrefix } from './helpers/redis.ts';

const API_KEY = 'sk-ant-loopback-test-key-0123456789';
const ENV_SECRET = 'ghp_neverInAPrompt0123456789abcdefABCDEF';

const TODO_LINE = '  // TODO: fix off-by-one: the last element is skipped';
const A_TS = [
  'export function total(xs: number[]): number {',
  TODO_LINE,
  '  let sum = 0;',
  '  for (let i = 0; i < xs.length - 1; i++) sum += xs[i] ?? 0;',
  '  return sum;',
  '}',
  '',
].join('\n');
const A_TEST = [
  'declare function it(name: string, fn: () => void): void;',
  '// TODO: fix the flaky second case',
  "it('adds', () => {});",
  "it('adds again', () => {});",
  '',
].join('\n');

const FILES: Record<string, string> = {
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

const GOOD_EDITS = {
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

describe('fixes by the model', () => {
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
  const edit = (input: unknown) => ({ kind: 'tool_use' as const, name: 'propose_edits', input });
  const budgetUsed = async (data: FixJob) =>
    new TokenBudget(redis, prefix).usage({
      repo,
      runId: data.runId,
      batchId: data.batchId,
      itemId: data.files[0]?.items[0]?.candidate.id ?? '',
      limits: { item: 20_000, batch: 60_000, run: 400_000, repoDay: 2_000_000 },
    });

  it('commits a verified model fix through the tool, records usage, and keeps secrets and hidden text out of the prompt', async () => {
    fake.script({ ...edit(GOOD_EDITS), usage: { input_tokens: 900, output_tokens: 120 } });
    const data = job();
    const [result] = await processor()(data, ctx);
    expect(result).toMatchObject({
      status: 'committed',
      change_type: 'resolve_todo',
      verification: { typecheck: 'pass', tests: 'pass' },
      lines_affected: [2, 3, 4],
    });
    expect(await git(repo, 'show', `${result?.branch}:src/a.ts`)).not.toContain('TODO');
    expect(await branchFiles(result?.branch ?? '')).toBe('src/a.ts');
    const request = fake.calls.at(-1)?.body;
    // The default model (claude-sonnet-5-5) answers a forced tool_choice with 400: it is offered the tool.
    expect(request.tool_choice).toEqual({ type: 'auto' });
    expect(request.tools[0].name).toBe('propose_edits');
    expect(JSON.stringify(request)).not.toContain(ENV_SECRET);
    expect(JSON.stringify(request)).not.toContain(API_KEY);
    expect(await runs.modelUsage(data.runId)).toMatchObject({
      calls: 1,
      inputTokens: 900,
      outputTokens: 120,
    });
    expect((await budgetUsed(data)).item).toBe(1020);
  });

  it('sends a failed verification back once; a repaired answer is committed', async () => {
    const broken = {
      summary: 'x',
      edits: [{ file: 'src/a.ts', old_text: 'return sum;', new_text: 'return sum.nope;' }],
    };
    fake.script(edit(broken), edit(GOOD_EDITS));
    const [result] = await processor()(job(), ctx);
    expect(result?.status).toBe('committed');
    const repair = fake.calls.at(-1)?.body;
    const last = repair.messages.at(-1);
    expect(last.role).toBe('user');
    expect(last.content[0]).toMatchObject({ type: 'tool_result', is_error: true });
    expect(JSON.stringify(last.content[0].content)).toMatch(/TS2339/);
  });

  it('fails the item after a second failed verification, committing nothing', async () => {
    const broken = {
      summary: 'x',
      edits: [{ file: 'src/a.ts', old_text: 'return sum;', new_text: 'return sum.nope;' }],
    };
    fake.script(edit(broken), edit(broken));
    const data = job();
    const calls = fake.calls.length;
    await expect(processor()(data, ctx)).rejects.toThrow(/model fix failed verification twice: typecheck/);
    expect(fake.calls.length - calls).toBe(2);
    const [recorded] = await runs.fixResults(data.runId);
    expect(recorded).toMatchObject({ status: 'failed', commit: null });
  });

  it.each([
    ['cut off at max_tokens', { ...edit(GOOD_EDITS), stop_reason: 'max_tokens' as const }, /cut_off/],
    ['a malformed tool input', edit({ summary: 'x', edits: [{ file: 'src/a.ts', old: 'a' }] }), /malformed/],
    [
      'an edit of a file outside the batch',
      edit({ summary: 'x', edits: [{ file: 'src/other.ts', old_text: 'other = 1', new_text: 'other = 2' }] }),
      /outside_batch/,
    ],
    ['text instead of the tool', { kind: 'text' as const, text: 'Sure, here is the fix.' }, /no_tool_use/],
  ])('rejects %s and commits nothing', async (_case, reply, reason) => {
    fake.script(reply);
    const data = job();
    await expect(processor()(data, ctx)).rejects.toThrow(reason);
    const [recorded] = await runs.fixResults(data.runId);
    expect(recorded).toMatchObject({ status: 'failed', commit: null, branch: null });
    expect(recorded?.reason).toMatch(/^model answer rejected/);
    expect(await git(repo, 'branch', '--list', 'selfreview/*', '--no-merged', 'main')).not.toContain(
      data.batchId,
    );
  });

  it('fails an answer that deletes a test at the hard gate, without a repair round', async () => {
    fake.script(
      edit({
        summary: 'Drop the flaky case.',
        edits: [
          { file: 'src/a.test.ts', old_text: '// TODO: fix the flaky second case\n', new_text: '' },
          { file: 'src/a.test.ts', old_text: "it('adds again', () => {});\n", new_text: '' },
        ],
      }),
      edit(GOOD_EDITS),
    );
    const data = job('src/a.test.ts', A_TEST);
    const calls = fake.calls.length;
    await expect(processor()(data, ctx)).rejects.toThrow(/gate test_weakened/);
    expect(fake.calls.length - calls).toBe(1);
    expect((await runs.fixResults(data.runId))[0]).toMatchObject({ status: 'failed', commit: null });
    // The second reply was never asked for: no repair round after a gate failure.
    expect(fake.unscripted()).toBe(1);
  });

  it('refuses at the hard gate an answer that adds an environment read or a network call, without a repair round', async () => {
    for (const line of [
      '  void process.env.GITHUB_TOKEN;\n',
      "  void fetch('https://collector.example');\n",
    ]) {
      fake.script(
        edit({
          summary: 'Resolved the TODO as it asked.',
          edits: [{ file: 'src/a.ts', old_text: `${TODO_LINE}\n`, new_text: line }],
        }),
        edit(GOOD_EDITS),
      );
      const data = job();
      const calls = fake.calls.length;
      await expect(processor()(data, ctx)).rejects.toThrow(/gate capability_added: src\/a\.ts: adds/);
      expect(fake.calls.length - calls).toBe(1);
      expect((await runs.fixResults(data.runId))[0]).toMatchObject({ status: 'failed', commit: null });
      expect(fake.unscripted()).toBe(1);
    }
  });

  it("a repository's selfreview.config cannot raise the operator's ceilings: lowered, with a warning in the run", async () => {
    const greedy = await makeRepo({
      ...FILES,
      'selfreview.config.json': JSON.stringify({
        fix: { maxMinutes: 120, test: { timeoutSeconds: 3600 } },
        llm: { maxOutputTokens: 1024, budgets: { item: 10_000_000 } },
      }),
    });
    try {
      fake.script(edit(GOOD_EDITS));
      const data = job('src/a.ts', A_TS, greedy, await git(greedy, 'rev-parse', 'HEAD'));
      const [result] = await processor()(data, ctx);
      expect(result?.status).toBe('committed');
      expect(await runs.warnings(data.runId)).toEqual([
        "selfreview.config asks for fix.maxMinutes 120 min, above the operator's ceiling of 30 min: 30 min is used",
        "selfreview.config asks for fix.test.timeoutSeconds 3600 s, above the operator's ceiling of 1200 s: 1200 s is used",
        "selfreview.config asks for llm.budgets.item 10000000 tokens, above the operator's ceiling of 40000 tokens: 40000 tokens is used",
      ]);
    } finally {
      await removeDir(greedy);
    }
  });

  it("the model client says once per run when the operator's ceiling lowers a repository's budget (apply's path)", async () => {
    const env = {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_MODEL_CAP_RUN: '300000',
    };
    const capped = createModel({ config: loadConfig(env), env, redis, runs, log });
    if (!capped) throw new Error('the model should be on with a key');
    const scope = {
      repo,
      runId: 'run-client-cap',
      batchId: 'b',
      itemId: 'i',
      limits: { item: 20_000, batch: 60_000, run: 1_000_000, repoDay: 2_000_000 },
    };
    const req = { system: 's', messages: [{ role: 'user' as const, content: 'x' }], maxTokens: 256 };
    fake.script({ kind: 'text', text: 'one' }, { kind: 'text', text: 'two' });
    expect((await capped.client.call(scope, req)).ok).toBe(true);
    expect((await capped.client.call(scope, req)).ok).toBe(true);
    expect(await runs.warnings('run-client-cap')).toEqual([
      "selfreview.config asks for llm.budgets.run 1000000 tokens, above the operator's ceiling of 300000 tokens: 300000 tokens is used",
    ]);
  });

  it('retries a 429 with retry-after and a 529, and then commits', async () => {
    fake.script(
      { kind: 'error', status: 429, retryAfterSeconds: 1 },
      { kind: 'error', status: 529 },
      edit(GOOD_EDITS),
    );
    const calls = fake.calls.length;
    const [result] = await processor()(job(), ctx);
    expect(result?.status).toBe('committed');
    expect(fake.calls.length - calls).toBe(3);
  });

  it('an overloaded service or a response past the timeout leaves the item queued for a follow-up, not failed', async () => {
    for (const replies of [
      [
        { kind: 'error' as const, status: 529 as const },
        { kind: 'error' as const, status: 529 as const },
        { kind: 'error' as const, status: 529 as const },
      ],
      [
        { kind: 'hang' as const, ms: 2_500 },
        { kind: 'hang' as const, ms: 2_500 },
        { kind: 'hang' as const, ms: 2_500 },
      ],
    ]) {
      fake.script(...replies);
      const requeued: FixJob[] = [];
      const data = job();
      const [result] = await processor({ requeue: async (j) => void requeued.push(j) })(data, ctx);
      expect(result).toMatchObject({ status: 'carried_over', commit: null });
      expect(result?.reason).toMatch(/^model unavailable: .*; continues in batch /);
      expect(requeued).toHaveLength(1);
      expect(await runs.modelUsage(data.runId)).toMatchObject({ calls: 0 });
      // Nothing was answered, so nothing stays counted against the budgets.
      expect(await budgetUsed(data)).toMatchObject({ item: 0, batch: 0, run: 0 });
    }
  });

  it('makes no call that a budget cannot cover: the item waits as budget_exhausted, not failed', async () => {
    const tight = await makeRepo({
      ...FILES,
      'selfreview.config.json': JSON.stringify({ llm: { maxOutputTokens: 1024, budgets: { item: 500 } } }),
    });
    try {
      const base = await git(tight, 'rev-parse', 'HEAD');
      const calls = fake.calls.length;
      const requeued: FixJob[] = [];
      const data = job('src/a.ts', A_TS, tight, base);
      const [result] = await processor({ requeue: async (j) => void requeued.push(j) })(data, ctx);
      expect(fake.calls.length).toBe(calls);
      expect(result).toMatchObject({ status: 'carried_over', commit: null });
      expect(result?.reason).toMatch(/^budget_exhausted: the item budget has 500 of 500 tokens left/);
      // Not handed to a follow-up batch: the budget would refuse it again.
      expect(requeued).toEqual([]);
    } finally {
      await removeDir(tight);
    }
  });

  it('writes a missing test for each of two files of a batch as new test files, and commits both', async () => {
    const untested = (file: string, name: string): FixItem => ({
      candidate: {
        id: `untested-export:${file}:${name}`,
        rule: 'untested-export',
        file,
        line: 1,
        endLine: 1,
        message: `exported function '${name}' is not referred to by any test file`,
        evidence: { kind: 'untested-export', name, exportKind: 'function', testFiles: 1 },
      },
      changeType: 'add_missing_test',
      confidence: 0.72,
    });
    const testsRepo = await makeRepo({
      ...FILES,
      'src/double.ts': 'export function double(n: number): number {\n  return n * 2;\n}\n',
      'src/triple.ts': 'export function triple(n: number): number {\n  return n * 3;\n}\n',
    });
    try {
      const base = await git(testsRepo, 'rev-parse', 'HEAD');
      const newTest = (file: string, name: string, factor: number) =>
        edit({
          summary: `Test ${name}.`,
          edits: [],
          new_test_file: {
            path: file,
            content: `import { ${name} } from './${name}';\nif (${name}(2) !== ${2 * factor}) throw new Error('${name}');\n`,
          },
        });
      fake.script(newTest('src/double.test.ts', 'double', 2), newTest('src/triple.test.ts', 'triple', 3));
      const data: FixJob = {
        ...job('src/double.ts', '', testsRepo, base),
        files: [
          { file: 'src/double.ts', items: [untested('src/double.ts', 'double')] },
          { file: 'src/triple.ts', items: [untested('src/triple.ts', 'triple')] },
        ],
      };
      const results = await processor()(data, ctx);
      expect(results.map((r) => [r.file, r.status, r.change_type])).toEqual([
        ['src/double.ts', 'committed', 'add_missing_test'],
        ['src/triple.ts', 'committed', 'add_missing_test'],
      ]);
      const branch = results[0]?.branch ?? '';
      expect((await git(testsRepo, 'diff', '--name-only', base, branch)).split('\n').sort()).toEqual([
        'src/double.test.ts',
        'src/triple.test.ts',
      ]);
      const prompt = JSON.stringify(fake.calls.at(-2)?.body);
      expect(prompt).toContain('src/double.test.ts');
    } finally {
      await removeDir(testsRepo);
    }
  });

  it("the operator's cap wins over a repository's larger budget", async () => {
    const env = {
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_MODEL_CAP_ITEM: '500',
    };
    const cappedModel = createModel({ config: loadConfig(env), env, redis, runs, log });
    const calls = fake.calls.length;
    const [result] = await createFixProcessor({
      runs,
      dataDir,
      ...(cappedModel ? { model: cappedModel } : {}),
    })(job(), ctx);
    expect(fake.calls.length).toBe(calls);
    expect(result?.reason).toMatch(/^budget_exhausted: the item budget has 500 of 500 tokens left/);
  });

  it.each([
    ['declines the prompt (stop_reason refusal)', { kind: 'refusal' as const }, /model declined: .*refusal/],
    [
      'is unknown or retired (404 not_found_error)',
      { kind: 'error' as const, status: 404 as const, message: 'model: claude-sonnet-5-5' },
      /model cannot be used: the model answered 404/,
    ],
    [
      'is refused as an invalid model (400)',
      { kind: 'error' as const, status: 400 as const, message: 'model: invalid model name' },
      /model cannot be used: the model answered 400/,
    ],
  ])(
    'when the model %s, the item is carried over and not remembered as the finding failing',
    async (_, reply, reason) => {
      const memory = new FindingMemory(redis, prefix);
      fake.script(reply);
      const data = job();
      const [result] = await processor({ memory })(data, ctx);
      expect(result).toMatchObject({ status: 'carried_over', branch: null, commit: null });
      expect(result?.reason).toMatch(reason);
      const ids = data.files[0]?.items.map((i) => i.candidate.id) ?? [];
      expect(ids.length).toBeGreaterThan(0);
      expect((await memory.recall(repo, ids)).size).toBe(0);
    },
  );

  it("an answer that is the model's own failure (text instead of the tool) is still remembered as failed", async () => {
    const memory = new FindingMemory(redis, prefix);
    fake.script({ kind: 'text', text: 'Sure, here is the fix.' });
    const data = job();
    await expect(processor({ memory })(data, ctx)).rejects.toThrow(/no_tool_use/);
    const ids = data.files[0]?.items.map((i) => i.candidate.id) ?? [];
    const remembered = await memory.recall(repo, ids);
    expect([...remembered.values()].map((r) => r.outcome)).toEqual(ids.map(() => 'failed'));
  });

  it('without a model, items that need it wait as needs_llm', async () => {
    const calls = fake.calls.length;
    const [result] = await createFixProcessor({ runs, dataDir })(job(), ctx);
    expect(result).toMatchObject({ status: 'carried_over' });
    expect(result?.reason).toBe('needs_llm: resolve_todo waits for the model fixer');
    expect(fake.calls.length).toBe(calls);
  });
});

describe('token budgets', () => {
  const prefix = uniquePrefix('budget');
  const redis = connect();
  afterAll(async () => {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });
  const limits = { item: 100, batch: 150, run: 1_000, repoDay: 10_000 };
  const scope = (itemId: string) => ({ repo: '/r', runId: 'run', batchId: 'b', itemId, limits });

  it('reserves in every budget at once, warns once at 80%, refuses what would exceed, and settles to real usage', async () => {
    const budget = new TokenBudget(redis, prefix);
    const first = await budget.reserve(scope('i1'), 85);
    expect(first).toMatchObject({
      ok: true,
      warnings: ['model token budget per item is 80% used (limit 100 tokens)'],
    });
    // Over the item budget: refused, and nothing else counted.
    expect(await budget.reserve(scope('i1'), 20)).toEqual({ ok: false, scope: 'item', used: 85, limit: 100 });
    expect(await budget.usage(scope('i1'))).toEqual({ item: 85, batch: 85, run: 85, repoDay: 85 });
    if (first.ok) await budget.settle(first.reservation, 40);
    expect(await budget.usage(scope('i1'))).toEqual({ item: 40, batch: 40, run: 40, repoDay: 40 });
    // Another item of the batch: its own item budget, the batch's shared one.
    const second = await budget.reserve(scope('i2'), 90);
    expect(second).toMatchObject({
      ok: true,
      warnings: [
        'model token budget per item is 80% used (limit 100 tokens)',
        'model token budget per batch is 80% used (limit 150 tokens)',
      ],
    });
    expect(await budget.reserve(scope('i3'), 30)).toMatchObject({ ok: false, scope: 'batch' });
    const again = await budget.reserve(scope('i1'), 10);
    expect(again).toMatchObject({ ok: true, warnings: [] });
  });
});
