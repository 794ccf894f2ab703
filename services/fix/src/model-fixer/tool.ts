/**
 * The one tool the model fixer offers the model: `propose_edits`, exact search-and-replace
 * edits to the batch's file (or, for a missing test, one new test file). Its input is checked
 * with zod before anything else looks at it.
 */
import { type ToolInputSchema, toolInputSchema } from '@selfreview/shared/model/tool-schema';
import { z } from 'zod';

export const EDIT_TOOL_NAME = 'propose_edits';

const Str = z.string();
const StrictObject = z.object({}).strict();

const Edit = StrictObject.extend({
  file: Str.describe('The repository-relative path of the file to edit.'),
  old_text: Str.min(1).describe('Text copied exactly from the file; it must occur exactly once.'),
  new_text: Str.describe('The replacement text (empty to delete old_text).'),
});

const NewTestFile = StrictObject.extend({
  path: Str.describe('The repository-relative path given in the request.'),
  content: Str.min(1).describe('The whole text of the new test file.'),
});

export const MAX_EDITS = 20;
export const MAX_SUMMARY = 500;

export const EditToolInput = StrictObject.extend({
  summary: Str.min(1)
    .max(MAX_SUMMARY)
    .describe('One or two sentences for a reviewer: what was changed and why.'),
  edits: Edit.array()
    .max(MAX_EDITS)
    .describe('The edits, applied in order. May be empty only when new_test_file is given.'),
  new_test_file: NewTestFile.optional().describe(
    'Only when asked for a new test: the test file to create, at exactly the path given.',
  ),
}).refine((input) => input.edits.length > 0 || input.new_test_file !== undefined, {
  message: 'propose at least one edit or a new test file',
  path: ['edits'],
});
export type EditToolInput = ReturnType<(typeof EditToolInput)['parse']>;

/** The shape of a tool definition for the Messages API (structural: the SDK is not a dependency here). */
export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: ToolInputSchema;
}

export const EDIT_TOOL: ToolDefinition = {
  name: EDIT_TOOL_NAME,
  description: [
    'Propose the change as exact text edits. Each edit replaces old_text with new_text in file.',
    'old_text must be copied exactly from the file as shown (without the line-number prefix, with the same',
    'whitespace and indentation) and must occur exactly once in the file: include enough neighbouring lines',
    'to make it unique. Edits are applied in order, each to the result of the ones before it.',
    'Edit only the file named in the request; when asked for a new test, leave edits empty and put the',
    'whole test file in new_test_file at the path given. Make no other changes: no reformatting, no',
    'renames, no unrelated fixes.',
  ].join(' '),
  // From the zod schema that checks the answer, so the two cannot drift apart.
  input_schema: toolInputSchema(EditToolInput),
};
