/**
 * The JSON Schema the model is given for propose_edits is generated from the zod schema that
 * checks its answer; a JSON Schema validator (ajv, strict) and zod must agree on every input,
 * except the one rule JSON Schema cannot say (at least one edit or a new test file), which the
 * tool's description states instead.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { EDIT_TOOL, EditToolInput, MAX_EDITS, MAX_SUMMARY } from '../src/model-fixer/tool.ts';

const validate = new Ajv({ strict: true, allErrors: true }).compile(EDIT_TOOL.input_schema);
const EDIT = { file: 'src/a.ts', old_text: 'x', new_text: '' };
const TEST_FILE = { path: 'test/a.test.ts', content: 'it("a", () => {});' };

describe('propose_edits input_schema', () => {
  it('is the object the Messages API takes, with every field described', () => {
    expect(EDIT_TOOL.input_schema).toMatchObject({
      type: 'object',
      required: ['summary', 'edits'],
      additionalProperties: false,
    });
    expect(EDIT_TOOL.input_schema).not.toHaveProperty('$schema');
    const properties = EDIT_TOOL.input_schema.properties as Record<string, { description?: string }>;
    expect(Object.keys(properties)).toEqual(['summary', 'edits', 'new_test_file']);
    for (const [name, property] of Object.entries(properties))
      expect(property.description, name).toBeTruthy();
  });

  it.each([
    ['one edit', { summary: 's', edits: [EDIT] }],
    ['a lone new test file', { summary: 's', edits: [], new_test_file: TEST_FILE }],
    ['both', { summary: 's', edits: [EDIT], new_test_file: TEST_FILE }],
    [
      'the most edits and the longest summary',
      { summary: 's'.repeat(MAX_SUMMARY), edits: Array(MAX_EDITS).fill(EDIT) },
    ],
  ])('both accept %s', (_what, input) => {
    expect(validate(input)).toBe(true);
    expect(EditToolInput.safeParse(input).success).toBe(true);
  });

  it.each([
    ['no summary', { edits: [EDIT] }],
    ['an empty summary', { summary: '', edits: [EDIT] }],
    ['a summary over the limit', { summary: 's'.repeat(MAX_SUMMARY + 1), edits: [EDIT] }],
    ['no edits field', { summary: 's', new_test_file: TEST_FILE }],
    ['too many edits', { summary: 's', edits: Array(MAX_EDITS + 1).fill(EDIT) }],
    ['an empty old_text', { summary: 's', edits: [{ ...EDIT, old_text: '' }] }],
    ['an edit without new_text', { summary: 's', edits: [{ file: 'src/a.ts', old_text: 'x' }] }],
    ['an unknown key in an edit', { summary: 's', edits: [{ ...EDIT, line: 3 }] }],
    ['an unknown top-level key', { summary: 's', edits: [EDIT], reasoning: 'because' }],
    ['a test file without content', { summary: 's', edits: [], new_test_file: { path: 'test/a.test.ts' } }],
    ['an empty test file', { summary: 's', edits: [], new_test_file: { ...TEST_FILE, content: '' } }],
    ['a number for a path', { summary: 's', edits: [{ ...EDIT, file: 7 }] }],
    ['not an object', 'edit src/a.ts'],
  ])('both refuse %s', (_what, input) => {
    expect(validate(input)).toBe(false);
    expect(EditToolInput.safeParse(input).success).toBe(false);
  });

  it('leaves "at least one edit or a new test file" to zod and the description', () => {
    const neither = { summary: 's', edits: [] };
    expect(validate(neither)).toBe(true);
    expect(EditToolInput.safeParse(neither).success).toBe(false);
    expect(EDIT_TOOL.input_schema.properties.edits).toMatchObject({
      description: expect.stringContaining('May be empty only when new_test_file is given'),
    });
  });
});
