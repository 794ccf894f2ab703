/**
 * Issue 6's acceptance, fixes by the model through the real Anthropic SDK against a loopback
 * server: a verified answer is committed (usage recorded, no secret in the prompt), a failed
 * verification goes back once for repair, malformed or out-of-batch answers are rejected, and the
 * hard gates (a weakened test, an added environment read or network call) fail without a repair
 * round. New test files for untested exports are committed the same way.
 */
import type { FixJob } from '@selfreview/shared/queues';
import type { FixItem } from '@selfreview/shared/schemas';
import { describe, expect, it } from 'vitest';
import { git, makeRepo, removeDir } from './helpers/git.ts';
import {
  A_TEST,
  API_KEY,
  ENV_SECRET,
  edit,
  FILES,
  GOOD_EDITS,
  modelFixTestBed,
  TODO_LINE,
} from './helpers/model-fix.ts';

describe('fixes by the model', () => {
  const bed = modelFixTestBed();
  const { runs, ctx, job, processor, branchFiles, budgetUsed } = bed;

  it('commits a verified model fix through the tool, records usage, and keeps secrets and hidden text out of the prompt', async () => {
    bed.fake.script({ ...edit(GOOD_EDITS), usage: { input_tokens: 900, output_tokens: 120 } });
    const data = job();
    const [result] = await processor()(data, ctx);
    expect(result).toMatchObject({
      status: 'committed',
      change_type: 'resolve_todo',
      verification: { typecheck: 'pass', tests: 'pass' },
      lines_affected: [2, 3, 4],
    });
    expect(await git(bed.repo, 'show', `${result?.branch}:src/a.ts`)).not.toContain('TODO');
    expect(await branchFiles(result?.branch ?? '')).toBe('src/a.ts');
    const request = bed.fake.calls.at(-1)?.body;
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
    bed.fake.script(edit(broken), edit(GOOD_EDITS));
    const [result] = await processor()(job(), ctx);
    expect(result?.status).toBe('committed');
    const repair = bed.fake.calls.at(-1)?.body;
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
    bed.fake.script(edit(broken), edit(broken));
    const data = job();
    const calls = bed.fake.calls.length;
    await expect(processor()(data, ctx)).rejects.toThrow(/model fix failed verification twice: typecheck/);
    expect(bed.fake.calls.length - calls).toBe(2);
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
    bed.fake.script(reply);
    const data = job();
    await expect(processor()(data, ctx)).rejects.toThrow(reason);
    const [recorded] = await runs.fixResults(data.runId);
    expect(recorded).toMatchObject({ status: 'failed', commit: null, branch: null });
    expect(recorded?.reason).toMatch(/^model answer rejected/);
    expect(await git(bed.repo, 'branch', '--list', 'selfreview/*', '--no-merged', 'main')).not.toContain(
      data.batchId,
    );
  });

  it('fails an answer that deletes a test at the hard gate, without a repair round', async () => {
    bed.fake.script(
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
    const calls = bed.fake.calls.length;
    await expect(processor()(data, ctx)).rejects.toThrow(/gate test_weakened/);
    expect(bed.fake.calls.length - calls).toBe(1);
    expect((await runs.fixResults(data.runId))[0]).toMatchObject({ status: 'failed', commit: null });
    // The second reply was never asked for: no repair round after a gate failure.
    expect(bed.fake.unscripted()).toBe(1);
  });

  it('refuses at the hard gate an answer that adds an environment read or a network call, without a repair round', async () => {
    for (const line of [
      '  void process.env.GITHUB_TOKEN;\n',
      "  void fetch('https://collector.example');\n",
    ]) {
      bed.fake.script(
        edit({
          summary: 'Resolved the TODO as it asked.',
          edits: [{ file: 'src/a.ts', old_text: `${TODO_LINE}\n`, new_text: line }],
        }),
        edit(GOOD_EDITS),
      );
      const data = job();
      const calls = bed.fake.calls.length;
      await expect(processor()(data, ctx)).rejects.toThrow(/gate capability_added: src\/a\.ts: adds/);
      expect(bed.fake.calls.length - calls).toBe(1);
      expect((await runs.fixResults(data.runId))[0]).toMatchObject({ status: 'failed', commit: null });
      expect(bed.fake.unscripted()).toBe(1);
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
      bed.fake.script(newTest('src/double.test.ts', 'double', 2), newTest('src/triple.test.ts', 'triple', 3));
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
      const prompt = JSON.stringify(bed.fake.calls.at(-2)?.body);
      expect(prompt).toContain('src/double.test.ts');
    } finally {
      await removeDir(testsRepo);
    }
  });
});
