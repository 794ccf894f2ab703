import { describe, expect, it } from 'vitest';
import { type AnswerContext, interpretAnswer, type ModelAnswer } from '../src/model-fixer/answer.ts';
import { EDIT_TOOL, EDIT_TOOL_NAME, EditToolInput } from '../src/model-fixer/tool.ts';

const FILE = 'src/retry.ts';

describe('EDIT_TOOL and EditToolInput', () => {
  it('describes the same fields the zod schema checks', () => {
    expect(EDIT_TOOL.name).toBe(EDIT_TOOL_NAME);
    expect(EDIT_TOOL_NAME).toBe('propose_edits');
    expect(Object.keys(EDIT_TOOL.input_schema.properties)).toEqual(Object.keys(EditToolInput.shape));
    expect(EDIT_TOOL.input_schema.required).toEqual(['summary', 'edits']);
    expect(EDIT_TOOL.input_schema.additionalProperties).toBe(false);
    expect(EDIT_TOOL.description).toContain('must occur exactly once');
    expect(EDIT_TOOL.description).toContain('copied exactly from the file');
    expect(EDIT_TOOL.description).toContain('Edit only the file named in the request');
    expect(EDIT_TOOL.description).toContain('Make no other changes');
  });

  it('accepts edits with an empty new_text, a lone new test file, and both', () => {
    const edit = { file: FILE, old_text: 'x', new_text: '' };
    const test = { path: 'test/a.test.ts', content: 'x' };
    expect(EditToolInput.safeParse({ summary: 's', edits: [edit] }).success).toBe(true);
    expect(EditToolInput.safeParse({ summary: 's', edits: [], new_test_file: test }).success).toBe(true);
    expect(EditToolInput.safeParse({ summary: 's', edits: [edit], new_test_file: test }).success).toBe(true);
  });

  it.each([
    ['no edits and no test file', { summary: 's', edits: [] }],
    ['no edits field', { summary: 's', new_test_file: { path: 'a', content: 'x' } }],
    ['an empty summary', { summary: '', edits: [{ file: FILE, old_text: 'x', new_text: '' }] }],
    [
      'a summary over 500 characters',
      { summary: 'x'.repeat(501), edits: [{ file: FILE, old_text: 'x', new_text: '' }] },
    ],
    [
      '21 edits',
      {
        summary: 's',
        edits: Array.from({ length: 21 }, () => ({ file: FILE, old_text: 'x', new_text: '' })),
      },
    ],
    ['an empty old_text', { summary: 's', edits: [{ file: FILE, old_text: '', new_text: 'y' }] }],
    ['an unknown key', { summary: 's', edits: [{ file: FILE, old_text: 'x', new_text: '', line: 3 }] }],
    ['an empty test file', { summary: 's', edits: [], new_test_file: { path: 'a', content: '' } }],
  ])('rejects %s', (_, input) => {
    expect(EditToolInput.safeParse(input).success).toBe(false);
  });
});

describe('interpretAnswer', () => {
  const text = 'export function retry(n: number): number {\n  // TODO: cap n at 5\n  return n;\n}\n';
  const ctx: AnswerContext = { file: FILE, text, changeType: 'resolve_todo', existingFiles: new Set([FILE]) };
  const testCtx: AnswerContext = {
    ...ctx,
    changeType: 'add_missing_test',
    testFilePath: 'test/retry.test.ts',
    existingFiles: new Set([FILE, 'test/other.test.ts']),
  };
  const answer = (input: unknown, stop_reason: string | null = 'tool_use'): ModelAnswer => ({
    stop_reason,
    content: [
      { type: 'text', text: 'Here are the edits.' },
      { type: 'tool_use', id: 'toolu_1', name: EDIT_TOOL_NAME, input },
    ],
  });
  const edits = (...e: [old_text: string, new_text: string, file?: string][]) => ({
    summary: 'Cap n at 5.',
    edits: e.map(([old_text, new_text, file = FILE]) => ({ file, old_text, new_text })),
  });
  const newTest = { path: 'test/retry.test.ts', content: "import { it } from 'vitest';\n" };

  it('applies several edits in order, each to the result of the one before', () => {
    const input = edits(
      ['  // TODO: cap n at 5\n', ''],
      ['return n;', 'return Math.min(n, LIMIT);'],
      ['export function', 'const LIMIT = 5;\n\nexport function'],
    );
    const result = interpretAnswer(answer(input), ctx);
    expect(result).toEqual({
      ok: true,
      toolUseId: 'toolu_1',
      input,
      summary: 'Cap n at 5.',
      changes: [
        {
          file: FILE,
          text: 'const LIMIT = 5;\n\nexport function retry(n: number): number {\n  return Math.min(n, LIMIT);\n}\n',
          created: false,
        },
      ],
    });
  });

  it('takes new_text literally ($& and $1 are not replacement patterns)', () => {
    const result = interpretAnswer(answer(edits(['return n;', 'return "$&-$1-$$-$`";'])), ctx);
    expect(result.ok && result.changes[0]?.text).toContain('  return "$&-$1-$$-$`";\n');
  });

  it('accepts a ./ prefix on the file', () => {
    const result = interpretAnswer(answer(edits(['return n;', 'return 5;', `./${FILE}`])), ctx);
    expect(result.ok && result.changes).toEqual([
      { file: FILE, text: text.replace('return n;', 'return 5;'), created: false },
    ]);
  });

  it('matches edits of a CRLF file written with plain line breaks', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const result = interpretAnswer(answer(edits(['  // TODO: cap n at 5\n  return n;', '  return 5;'])), {
      ...ctx,
      text: crlf,
    });
    expect(result.ok && result.changes[0]?.text).toBe(
      'export function retry(n: number): number {\r\n  return 5;\r\n}\r\n',
    );
  });

  it('creates the new test file for add_missing_test', () => {
    const input = {
      summary: 'Test retry.',
      edits: [],
      new_test_file: { ...newTest, path: './test/retry.test.ts' },
    };
    const result = interpretAnswer(answer(input), testCtx);
    expect(result).toEqual({
      ok: true,
      toolUseId: 'toolu_1',
      input,
      summary: 'Test retry.',
      changes: [{ file: 'test/retry.test.ts', text: newTest.content, created: true }],
    });
  });

  it('cut_off: max_tokens, even with a tool call', () => {
    const result = interpretAnswer(answer(edits(['return n;', 'return 5;']), 'max_tokens'), ctx);
    expect(result).toEqual({
      ok: false,
      reason: 'cut_off',
      detail: 'the answer reached max_tokens before it was complete',
    });
  });

  it('no_tool_use: only text, or another tool', () => {
    expect(
      interpretAnswer({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'Done!' }] }, ctx),
    ).toEqual({
      ok: false,
      reason: 'no_tool_use',
      detail: 'the answer has no propose_edits call (stop_reason end_turn; blocks: text)',
    });
    const other: ModelAnswer = {
      stop_reason: 'tool_use',
      content: [{ type: 'tool_use', id: 't', name: 'bash', input: {} }],
    };
    expect(interpretAnswer(other, ctx)).toMatchObject({ ok: false, reason: 'no_tool_use' });
  });

  it('malformed: lists the zod issue paths, and returns the call for a repair', () => {
    const input = { summary: '', edits: [{ file: FILE, old_text: '', new_text: 3 }], extra: true };
    const result = interpretAnswer(answer(input), ctx);
    expect(result).toMatchObject({ ok: false, reason: 'malformed', toolUseId: 'toolu_1', input });
    const detail = result.ok ? '' : result.detail;
    expect(detail).toMatch(/^the propose_edits input is invalid: /);
    for (const path of ['summary: ', 'edits.0.old_text: ', 'edits.0.new_text: ', '(input): ']) {
      expect(detail).toContain(path);
    }
    expect(interpretAnswer(answer({ summary: 's', edits: [] }), ctx)).toMatchObject({
      reason: 'malformed',
      detail: 'the propose_edits input is invalid: edits: propose at least one edit or a new test file',
    });
  });

  it.each([
    ['another file', 'src/other.ts'],
    ['an absolute path', `/${FILE}`],
    ['a .. segment', `src/../${FILE}`],
    ['a path that climbs out', `../repo/${FILE}`],
    ['a Windows path', `C:\\repo\\${FILE}`],
  ])('outside_batch: an edit of %s', (_, file) => {
    const result = interpretAnswer(
      answer(edits(['return n;', 'return 5;'], ['return 5;', 'return 6;', file])),
      ctx,
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'outside_batch',
      detail: `edit 2 targets ${JSON.stringify(file)}; only src/retry.ts may change`,
      toolUseId: 'toolu_1',
    });
  });

  it('outside_batch: a new test file outside the repository', () => {
    for (const path of ['/tmp/retry.test.ts', 'test/../../retry.test.ts']) {
      const result = interpretAnswer(
        answer({ summary: 's', edits: [], new_test_file: { ...newTest, path } }),
        testCtx,
      );
      expect(result).toMatchObject({ ok: false, reason: 'outside_batch' });
    }
  });

  it('new_file_not_allowed: a new file for another change type, or at another path', () => {
    const input = { ...edits(['return n;', 'return 5;']), new_test_file: newTest };
    expect(interpretAnswer(answer(input), { ...ctx, testFilePath: newTest.path })).toMatchObject({
      ok: false,
      reason: 'new_file_not_allowed',
      detail: 'resolve_todo may not create files; only src/retry.ts may change',
    });
    const elsewhere = { summary: 's', edits: [], new_test_file: { ...newTest, path: 'test/retry.spec.ts' } };
    expect(interpretAnswer(answer(elsewhere), testCtx)).toMatchObject({
      ok: false,
      reason: 'new_file_not_allowed',
      detail: 'new_test_file.path "test/retry.spec.ts" is not the test path given (test/retry.test.ts)',
    });
    const { testFilePath: _, ...noPath } = testCtx;
    expect(
      interpretAnswer(answer({ summary: 's', edits: [], new_test_file: newTest }), noPath),
    ).toMatchObject({
      reason: 'new_file_not_allowed',
    });
  });

  it('source_changed_for_test: add_missing_test edits the source', () => {
    const input = { ...edits(['return n;', 'return 5;']), new_test_file: newTest };
    expect(interpretAnswer(answer(input), testCtx)).toMatchObject({
      ok: false,
      reason: 'source_changed_for_test',
    });
    expect(interpretAnswer(answer(edits(['return n;', 'return 5;'])), testCtx)).toMatchObject({
      ok: false,
      reason: 'source_changed_for_test',
    });
  });

  it('new_file_exists: the test path is taken', () => {
    const input = { summary: 's', edits: [], new_test_file: newTest };
    const existing = new Set([FILE, 'test/retry.test.ts']);
    expect(interpretAnswer(answer(input), { ...testCtx, existingFiles: existing })).toMatchObject({
      ok: false,
      reason: 'new_file_exists',
      detail: 'test/retry.test.ts already exists; a new test file may not replace it',
    });
  });

  it('old_text_not_found: also after the edits before it, with a hint for copied line numbers', () => {
    expect(interpretAnswer(answer(edits(['return m;', 'return 5;'])), ctx)).toMatchObject({
      ok: false,
      reason: 'old_text_not_found',
      detail: 'edit 1 of 1: old_text "return m;" does not occur in src/retry.ts',
    });
    expect(
      interpretAnswer(answer(edits(['return n;', 'return 5;'], ['return n;', 'return 6;'])), ctx),
    ).toMatchObject({
      reason: 'old_text_not_found',
      detail: 'edit 2 of 2: old_text "return n;" does not occur in src/retry.ts (after the edits before it)',
    });
    expect(interpretAnswer(answer(edits(['   3|   return n;\n   4| }', 'x'])), ctx)).toMatchObject({
      reason: 'old_text_not_found',
      detail:
        'edit 1 of 1: old_text "   3|   return n;…" does not occur in src/retry.ts; do not copy the line-number prefix',
    });
  });

  it('old_text_ambiguous: more than one occurrence, overlapping ones included', () => {
    expect(interpretAnswer(answer(edits(['number', 'bigint'])), ctx)).toMatchObject({
      ok: false,
      reason: 'old_text_ambiguous',
      detail:
        'edit 1 of 1: old_text "number" occurs 2 times in src/retry.ts; include neighbouring lines so it occurs exactly once',
    });
    expect(interpretAnswer(answer(edits(['return n;', 'aaa'], ['aa', 'b'])), ctx)).toMatchObject({
      reason: 'old_text_ambiguous',
    });
  });

  it('no_change: the edits leave the file as it was', () => {
    const result = interpretAnswer(
      answer(edits(['return n;', 'return m;'], ['return m;', 'return n;'])),
      ctx,
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'no_change',
      detail: 'the edits leave src/retry.ts exactly as it was',
    });
  });
});
