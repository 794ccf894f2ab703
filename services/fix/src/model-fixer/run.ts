/**
 * The model fixer for one file of a batch: ask, check the answer, try it, and allow one repair
 * round with the verification failure sent back. The pure parts (prompt, tool, answer) are in
 * this folder; trying a change in the worktree is the caller's `tryChange`, so the same
 * verification and gates judge the model's edits as judge the codemods'.
 */
import type { BudgetScope } from '@selfreview/shared/model/budget';
import type { ModelCallResult, ModelClient } from '@selfreview/shared/model/client';
import type { ChangeType, FixItem } from '@selfreview/shared/schemas';
import { interpretAnswer } from './answer.ts';
import { buildFixPrompt, buildRepairMessages } from './prompt.ts';
import { EDIT_TOOL, EDIT_TOOL_NAME } from './tool.ts';

export type FileChange = { file: string; text: string; created: boolean };

export type ModelFixOutcome =
  /** The change is in the worktree and passed the caller's checks. */
  | { status: 'applied'; changes: FileChange[]; summary: string; calls: number }
  /** Not fixed, for a reason a person should read (a rejected answer, two failed verifications). */
  | { status: 'failed'; reason: string; calls: number }
  /**
   * Not tried or not finished for want of budget, time or service, or because the model cannot
   * or will not serve them: the items are carried over, never remembered as the finding's failure.
   */
  | { status: 'waiting'; reason: string; retryLater: boolean; calls: number };

export type ModelFixInput = {
  client: ModelClient;
  scope: Omit<BudgetScope, 'itemId'>;
  file: string;
  /** The file at the base commit. */
  text: string;
  items: readonly FixItem[];
  changeType: ChangeType;
  /** Where add_missing_test writes its new test file. */
  testFilePath?: string;
  /** An existing test of the repository, so the new one uses the same framework and style. */
  exampleTest?: string | null;
  existingFiles: ReadonlySet<string>;
  secrets: readonly string[];
  maxTokens: number;
  deadline: number;
  /**
   * Writes the change into the worktree and verifies it: null when it passed, else the failure
   * (with the change undone). A hard-gate failure is `final`: it is never sent back for repair.
   */
  tryChange: (changes: FileChange[]) => Promise<{ failure: string; final: boolean } | null>;
};

export async function fixWithModel(input: ModelFixInput): Promise<ModelFixOutcome> {
  const scope: BudgetScope = { ...input.scope, itemId: input.items[0]?.candidate.id ?? input.file };
  const prompt = buildFixPrompt({
    file: input.file,
    text: input.text,
    items: input.items,
    secrets: input.secrets,
    ...(input.testFilePath
      ? { testFile: { path: input.testFilePath, text: input.exampleTest ?? null } }
      : {}),
  });
  const context = {
    file: input.file,
    text: input.text,
    changeType: input.changeType,
    existingFiles: input.existingFiles,
    ...(input.testFilePath ? { testFilePath: input.testFilePath } : {}),
  };
  let calls = 0;
  const ask = async (messages: readonly unknown[]): Promise<ModelCallResult> => {
    calls += 1;
    return input.client.call(
      scope,
      {
        system: prompt.system,
        messages: messages as { role: 'user' | 'assistant'; content: string }[],
        tools: [EDIT_TOOL],
        toolName: EDIT_TOOL_NAME,
        maxTokens: input.maxTokens,
      },
      { deadline: input.deadline },
    );
  };

  const first = await ask(prompt.messages);
  if (!first.ok) return notAnswered(first, calls);
  const answer = interpretAnswer(first.answer, context);
  if (!answer.ok)
    return { status: 'failed', reason: `model answer rejected (${answer.reason}): ${answer.detail}`, calls };
  const tried = await input.tryChange(answer.changes);
  if (tried === null) return { status: 'applied', changes: answer.changes, summary: answer.summary, calls };
  if (tried.final) return { status: 'failed', reason: tried.failure, calls };
  const failure = tried.failure;

  // One repair round: the failure goes back once, with the original file as the base again.
  const repairMessages = buildRepairMessages(
    { system: prompt.system, messages: prompt.messages },
    { toolUseId: answer.toolUseId, input: answer.input, content: first.answer.content },
    failure,
    input.secrets,
  );
  const second = await ask(repairMessages);
  if (!second.ok) {
    const waiting = notAnswered(second, calls);
    // The first attempt's failure is the real news; a refused repair call is a failure too.
    return waiting.status === 'failed'
      ? { status: 'failed', reason: `${failure}; repair call: ${waiting.reason}`, calls }
      : waiting;
  }
  const repaired = interpretAnswer(second.answer, context);
  if (!repaired.ok) {
    return {
      status: 'failed',
      reason: `model fix failed verification (${failure}); its repair was rejected (${repaired.reason}): ${repaired.detail}`,
      calls,
    };
  }
  const again = await input.tryChange(repaired.changes);
  if (again === null)
    return { status: 'applied', changes: repaired.changes, summary: repaired.summary, calls };
  if (again.final) return { status: 'failed', reason: again.failure, calls };
  return { status: 'failed', reason: `model fix failed verification twice: ${again.failure}`, calls };
}

function notAnswered(result: Exclude<ModelCallResult, { ok: true }>, calls: number): ModelFixOutcome {
  if (result.reason === 'budget_exhausted')
    return { status: 'waiting', reason: result.detail, retryLater: false, calls };
  if (result.reason === 'unavailable')
    return { status: 'waiting', reason: `model unavailable: ${result.detail}`, retryLater: true, calls };
  // The model, not the finding: a retired or unknown model, or one that declines the prompt. The
  // item waits for the next scan (retrying within this run would meet the same answer).
  if (result.reason === 'model_unavailable')
    return { status: 'waiting', reason: `model cannot be used: ${result.detail}`, retryLater: false, calls };
  if (result.reason === 'declined')
    return { status: 'waiting', reason: `model declined: ${result.detail}`, retryLater: false, calls };
  return { status: 'failed', reason: `model call refused: ${result.detail}`, calls };
}
