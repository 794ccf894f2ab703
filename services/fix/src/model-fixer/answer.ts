/**
 * Turns the model's answer into file changes, or says exactly why it cannot be used. Nothing
 * the model says is trusted: the tool input is validated, every path must be the batch's own,
 * and every edit must match the file text exactly once. Pure.
 */
import { modelTaskOf } from '@selfreview/checks';
import type { ChangeType } from '@selfreview/shared/schemas';
import { EDIT_TOOL_NAME, EditToolInput } from './tool.ts';

/** The parts of a Messages API response this module reads (structural: the SDK is not a dependency here). */
export interface ModelAnswer {
  stop_reason: string | null;
  content: readonly (
    | { type: 'text'; text: string }
    | { type: 'tool_use'; id: string; name: string; input: unknown }
    | { type: string }
  )[];
}

export interface AnswerContext {
  /** The batch's file, repository-relative. */
  file: string;
  /** Its text, as given to the model. */
  text: string;
  changeType: ChangeType;
  /** For add_missing_test: the one path a new test file may have. */
  testFilePath?: string;
  /** Repository-relative paths of the files that exist. */
  existingFiles: ReadonlySet<string>;
}

export type AnswerRejection =
  /** stop_reason max_tokens: the answer is incomplete. */
  | 'cut_off'
  /** No propose_edits call in the answer. */
  | 'no_tool_use'
  /** The tool input does not match EditToolInput. */
  | 'malformed'
  /** An edit targets another file, or a path is absolute or climbs out with `..`. */
  | 'outside_batch'
  | 'old_text_not_found'
  | 'old_text_ambiguous'
  /** add_missing_test edited the source file. */
  | 'source_changed_for_test'
  /** A new file for another change type, or at another path than the one given. */
  | 'new_file_not_allowed'
  | 'new_file_exists'
  /** The edits leave the file as it was and no test file is added. */
  | 'no_change';

export interface FileChange {
  file: string;
  /** The whole new text of the file. */
  text: string;
  created: boolean;
}

export type AnswerResult =
  | { ok: true; toolUseId: string; input: EditToolInput; changes: FileChange[]; summary: string }
  | { ok: false; reason: AnswerRejection; detail: string; toolUseId?: string; input?: unknown };

export function interpretAnswer(answer: ModelAnswer, ctx: AnswerContext): AnswerResult {
  if (answer.stop_reason === 'max_tokens') {
    return { ok: false, reason: 'cut_off', detail: 'the answer reached max_tokens before it was complete' };
  }
  const call = findCall(answer);
  if (!call) {
    const blocks = answer.content.map(describeBlock).join(', ') || 'none';
    return {
      ok: false,
      reason: 'no_tool_use',
      detail: `the answer has no ${EDIT_TOOL_NAME} call (stop_reason ${answer.stop_reason ?? 'null'}; blocks: ${blocks})`,
    };
  }
  const { id: toolUseId, input: raw } = call;
  const reject = (reason: AnswerRejection, detail: string): AnswerResult => ({
    ok: false,
    reason,
    detail,
    toolUseId,
    input: raw,
  });

  const parsed = EditToolInput.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`,
    );
    return reject('malformed', `the ${EDIT_TOOL_NAME} input is invalid: ${issues.join('; ')}`);
  }
  const input = parsed.data;
  const file = normalisePath(ctx.file);

  for (const [i, edit] of input.edits.entries()) {
    const path = normalisePath(edit.file);
    if (escapes(path) || path !== file) {
      return reject(
        'outside_batch',
        `edit ${i + 1} targets ${JSON.stringify(edit.file)}; only ${file} may change`,
      );
    }
  }
  // Only a task that writes a test file may create one, and it may change nothing else.
  const writesTestFile = modelTaskOf(ctx.changeType)?.writesTestFile === true;
  const newFile = input.new_test_file;
  let testPath: string | undefined;
  if (newFile) {
    testPath = normalisePath(newFile.path);
    if (escapes(testPath)) {
      return reject(
        'outside_batch',
        `new_test_file.path ${JSON.stringify(newFile.path)} is outside the repository`,
      );
    }
    if (!writesTestFile) {
      return reject(
        'new_file_not_allowed',
        `${ctx.changeType} may not create files; only ${file} may change`,
      );
    }
    const allowed = ctx.testFilePath === undefined ? undefined : normalisePath(ctx.testFilePath);
    if (testPath !== allowed) {
      return reject(
        'new_file_not_allowed',
        `new_test_file.path ${JSON.stringify(newFile.path)} is not the test path given` +
          (allowed === undefined ? '' : ` (${allowed})`),
      );
    }
  }
  if (writesTestFile && input.edits.length > 0) {
    return reject(
      'source_changed_for_test',
      `${ctx.changeType} must not change ${file}: leave edits empty and put the test in new_test_file`,
    );
  }
  if (testPath !== undefined && [...ctx.existingFiles].some((f) => normalisePath(f) === testPath)) {
    return reject('new_file_exists', `${testPath} already exists; a new test file may not replace it`);
  }

  // A CRLF file is shown to the model with plain line breaks: match its edits the same way.
  const eol = (s: string): string => (ctx.text.includes('\r\n') ? s.replace(/\r?\n/g, '\r\n') : s);
  let text = ctx.text;
  for (const [i, edit] of input.edits.entries()) {
    const oldText = eol(edit.old_text);
    const at = occurrences(text, oldText);
    const which = `edit ${i + 1} of ${input.edits.length}`;
    const after = i > 0 ? ' (after the edits before it)' : '';
    if (at.length === 0) {
      const hint = /^\s*\d+\| /m.test(edit.old_text) ? '; do not copy the line-number prefix' : '';
      return reject(
        'old_text_not_found',
        `${which}: old_text ${preview(edit.old_text)} does not occur in ${file}${after}${hint}`,
      );
    }
    if (at.length > 1) {
      return reject(
        'old_text_ambiguous',
        `${which}: old_text ${preview(edit.old_text)} occurs ${at.length} times in ${file}${after}; include ` +
          'neighbouring lines so it occurs exactly once',
      );
    }
    const start = at[0] ?? 0;
    text = text.slice(0, start) + eol(edit.new_text) + text.slice(start + oldText.length);
  }

  const changes: FileChange[] = [];
  if (text !== ctx.text) changes.push({ file: ctx.file, text, created: false });
  if (newFile && ctx.testFilePath !== undefined) {
    changes.push({ file: ctx.testFilePath, text: newFile.content, created: true });
  }
  if (changes.length === 0) return reject('no_change', `the edits leave ${file} exactly as it was`);
  return { ok: true, toolUseId, input, changes, summary: input.summary };
}

function findCall(answer: ModelAnswer): { id: string; input: unknown } | undefined {
  for (const block of answer.content) {
    if (block.type !== 'tool_use' || !('name' in block) || block.name !== EDIT_TOOL_NAME) continue;
    if (typeof block.id !== 'string') continue;
    return { id: block.id, input: block.input };
  }
  return undefined;
}

function describeBlock(block: ModelAnswer['content'][number]): string {
  return block.type === 'tool_use' && 'name' in block ? `tool_use ${JSON.stringify(block.name)}` : block.type;
}

/** Drops leading `./` segments; nothing else is normalised. */
function normalisePath(path: string): string {
  return path.replace(/^(?:\.\/)+/, '');
}

/** Absolute (POSIX, Windows drive or UNC) or climbing out with a `..` segment. */
function escapes(path: string): boolean {
  return /^(?:\/|\\|[A-Za-z]:)/.test(path) || path.split(/[/\\]/).includes('..');
}

/** Start offsets of every occurrence of `needle`, overlapping ones included. */
function occurrences(haystack: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** The start of `text` for a failure message. */
function preview(text: string): string {
  const firstLine = text.split('\n', 1)[0] ?? '';
  const short = firstLine.length > 80 ? `${firstLine.slice(0, 80)}…` : firstLine;
  return JSON.stringify(firstLine === text ? short : `${short}…`);
}
