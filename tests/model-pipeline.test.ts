/**
 * The model in the whole pipeline, through the real CLI and worker processes: apply asks for a
 * second opinion on a borderline TODO, fix resolves it through the model, the report carries
 * the model's usage and cost, and no key or environment secret ever reaches the model.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RunReport } from '@selfreview/shared/schemas';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { type FakeAnthropic, startFakeAnthropic } from './helpers/fake-anthropic.ts';
import { git, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const API_KEY = 'sk-ant-pipeline-loopback-key-0123456789';
const TODO_LINE = '  // FIXME: off-by-one bug, the last element is skipped';

describe('selfreview run with a model', () => {
  let fake: FakeAnthropic;
  let repo: string;
  let dataDir: string;
  let prefix: string;
  let report: RunReport;
  let stdout: string;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: API_KEY });
    fake.onRequest((body) => {
      const tool = body.tools?.[0]?.name;
      if (tool === 'give_opinion') {
        return {
          kind: 'tool_use',
          name: 'give_opinion',
          input: {
            real_problem: true,
            confidence: 0.9,
            explanation: 'The loop bound skips the last element.',
          },
        };
      }
      return {
        kind: 'tool_use',
        name: 'propose_edits',
        input: {
          summary: 'Include the last element and drop the FIXME.',
          edits: [
            { file: 'src/sum.ts', old_text: `${TODO_LINE}\n`, new_text: '' },
            { file: 'src/sum.ts', old_text: 'i < xs.length - 1', new_text: 'i < xs.length' },
          ],
        },
        usage: { input_tokens: 700, output_tokens: 90 },
      };
    });
    repo = await makeRepo({
      'tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, types: [] },
        include: ['src'],
      }),
      'src/sum.ts': [
        'export function total(xs: number[]): number {',
        TODO_LINE,
        '  let sum = 0;',
        '  for (let i = 0; i < xs.length - 1; i++) sum += xs[i] ?? 0;',
        '  return sum;',
        '}',
        '',
      ].join('\n'),
    });
    dataDir = await tempDir();
    prefix = uniquePrefix('modelrun');
    const reportFile = path.join(dataDir, 'r.json');
    const result = await runCli(['run', repo, '--report', reportFile], {
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      SELFREVIEW_MODEL_TIMEOUT_SECONDS: '20',
    });
    if (result.code !== 0)
      throw new Error(`selfreview run failed (${result.code}): ${result.stderr}${result.stdout}`);
    stdout = result.stdout;
    report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
  });

  afterAll(async () => {
    await fake.close();
    const redis = new Redis(testRedisUrl());
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });

  it("asks for a second opinion on the FIXME, without apply's reasoning, and queues it", () => {
    const opinionCalls = fake.calls.filter((c) => c.body.tools?.[0]?.name === 'give_opinion');
    expect(opinionCalls).toHaveLength(1);
    const todo = report.candidates.find((c) => c.rule === 'todo-comment');
    const decision = report.decisions.find((d) => d.candidateId === todo?.id);
    expect(decision).toMatchObject({ verdict: 'fix', changeType: 'resolve_todo' });
    expect(decision?.detail).toContain('A second opinion from the model (real, 0.90)');
    // The scan's and apply's reasoning stay out: neither the reason code nor the detail sentence.
    const sent = JSON.stringify(opinionCalls[0]?.body);
    expect(sent).not.toContain('actionable_todo');
    expect(sent).not.toContain('fix queue');
  });

  it('resolves the FIXME through the model, verified and committed on its own branch', async () => {
    const fix = report.fixes.find((f) => f.change_type === 'resolve_todo');
    expect(fix).toMatchObject({ status: 'committed', verification: { typecheck: 'pass', tests: 'skipped' } });
    const fixed = await git(repo, 'show', `${fix?.branch}:src/sum.ts`);
    expect(fixed).toContain('i < xs.length;');
    expect(fixed).not.toContain('FIXME');
  });

  it('reports the model usage and cost, and never sends the key in a prompt', () => {
    expect(report.model.enabled).toBe(true);
    expect(report.model.calls).toBe(fake.calls.length);
    expect(report.model.inputTokens).toBeGreaterThanOrEqual(700);
    expect(report.model.estimatedCostUsd).toBeGreaterThan(0);
    expect(stdout).toMatch(/Model: \d+ calls?, \d+ input \+ \d+ output tokens, about \$/);
    for (const c of fake.calls) expect(JSON.stringify(c.body)).not.toContain(API_KEY);
  });
});
