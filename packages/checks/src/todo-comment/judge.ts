import type { Candidate } from '@selfreview/shared/schemas';
import type { JudgeContext, Verdict } from '../lib/judge.ts';
import { CHANGE_TYPE, type TodoEvidence } from './schema.ts';
import { classifyTodo, signalKind } from './todo-classifier.ts';

const quote = (signals: readonly string[]): string =>
  signals.map((s) => `"${s.slice(s.indexOf(':') + 1)}"`).join(', ');

/**
 * Planned TODOs are never queued: their plan lives elsewhere. Actionable ones are queued
 * for the model fixer (`resolve_todo`); ambiguous ones are deferred with low confidence,
 * first to go when time is short.
 */
export function judge(candidate: Candidate, evidence: TodoEvidence, ctx: JudgeContext): Verdict {
  // Whatever the comment says, a generated file is rewritten by its generator, and
  // handing it to a fixer later would edit the wrong place.
  if (ctx.isGenerated) {
    return {
      verdict: 'drop',
      reason: 'generated_file',
      detail: `${candidate.file} is generated; its TODOs belong to the generator.`,
      confidence: 0.95,
    };
  }
  if (ctx.fileText === null) {
    return {
      verdict: 'drop',
      reason: 'stale',
      detail: `${candidate.file} no longer exists at the current head.`,
      confidence: 0.95,
    };
  }

  const { todoClass, signals } = classifyTodo(withTag(evidence.tag, evidence.text), evidence.context);
  if (todoClass === 'planned') {
    const planned = signals.filter((s) => signalKind(s) !== 'actionable');
    const actionable = signals.filter((s) => signalKind(s) === 'actionable');
    const tracked = planned.some((s) => signalKind(s) === 'issue');
    const overriding =
      actionable.length > 0 ? ` It also reads as a defect (${quote(actionable)}), but the plan wins.` : '';
    return {
      verdict: 'drop',
      reason: 'planned_todo',
      detail: `The ${evidence.tag} is ${tracked ? 'tracked' : 'planned'} (${quote(planned)}); it is left to that plan.${overriding}`,
      confidence: tracked ? 0.95 : 0.9,
      todoClass,
    };
  }
  if (todoClass === 'actionable') {
    // Queued: it is a real defect. Only the model can resolve it, so without the model
    // it waits in the fix queue as `needs_llm` rather than failing there.
    return {
      verdict: 'fix',
      reason: 'actionable_todo',
      detail: `The ${evidence.tag} describes a defect (${quote(signals)}); it goes to the fix queue for the model fixer${ctx.llmAvailable ? '' : ' (not configured: it waits there as needs_llm)'}.`,
      confidence: 0.8,
      todoClass,
      changeType: CHANGE_TYPE,
    };
  }
  return {
    verdict: 'defer',
    reason: 'ambiguous_todo',
    detail: `The ${evidence.tag} names neither a plan nor a defect; a person should decide.`,
    confidence: 0.5,
    todoClass,
  };
}

/** The classifier reads the tag as a word (FIXME is actionable by itself); scan may or may not keep it in the text. */
function withTag(tag: string, text: string): string {
  const trimmed = text.trimStart();
  return trimmed.toLowerCase().startsWith(tag.toLowerCase()) ? text : `${tag}: ${text}`;
}
