/**
 * The one list of checks. Services iterate it: scan runs each check's rule, apply each
 * check's judgement, fix each check's codemod or model task; selfreview.config's `rules` is
 * assembled from each check's options. Nothing outside a check's own folder names it.
 *
 * Loading this module registers the checks with @selfreview/shared (the `rules` schema of a
 * repository's configuration and the model's change types), which sits below and names none.
 */
import { type CheckSettings, registerCheckSettings } from '@selfreview/shared/config';
import { Candidate, type ChangeType, registerModelChangeTypes } from '@selfreview/shared/schemas';
import { z } from 'zod';
import { deepNesting } from './deep-nesting/index.ts';
import type { Check } from './lib/define.ts';
import type { Codemod, ModelTask } from './lib/fix.ts';
import type { OptionsById } from './lib/scan-file.ts';
import { longFunction } from './long-function/index.ts';
import { todoComment } from './todo-comment/index.ts';
import { undefinedIdentifier } from './undefined-identifier/index.ts';
import { untestedExport } from './untested-export/index.ts';
import { unusedImport } from './unused-import/index.ts';
import { unusedLocal } from './unused-local/index.ts';
import { unusedParameter } from './unused-parameter/index.ts';

export { type Check, defineCheck, judgeWith } from './lib/define.ts';
export type {
  Codemod,
  CodemodInput,
  CodemodResult,
  CodemodSkip,
  FollowUpInput,
  ModelTask,
} from './lib/fix.ts';
export type { JudgeContext, Verdict } from './lib/judge.ts';
export type { ScanFinding, ScanInput, SemanticDiagnostic, TestIndex } from './lib/scan.ts';
export {
  candidateId,
  defaultOptions,
  firstSyntaxError,
  type OptionsById,
  parseSource,
  type ScanFileOptions,
  type ScanFileResult,
  scanFile,
} from './lib/scan-file.ts';
export { testFileGlobs } from './untested-export/index.ts';

const ALL = [
  unusedImport,
  unusedLocal,
  unusedParameter,
  undefinedIdentifier,
  todoComment,
  longFunction,
  deepNesting,
  untestedExport,
] as const;
type AnyCheck = (typeof ALL)[number];

/** Every check, in the order their findings are listed for one line. */
export const CHECKS: readonly Check[] = ALL;

export type CheckId = AnyCheck['id'];
export const CHECK_IDS: readonly CheckId[] = ALL.map((c) => c.id);
/** A check id, validated against the registry. */
export const CheckId = z.enum(CHECK_IDS as [CheckId, ...CheckId[]]);

/** The check of `id`, or undefined for an id no check has. */
export function findCheck(id: string): Check | undefined {
  return CHECKS.find((c) => c.id === id);
}

/** The check of `id`; an unknown id is a programming error, not input. */
export function getCheck(id: string): Check {
  const check = findCheck(id);
  if (!check) throw new Error(`no check registered for '${id}'`);
  return check;
}

/** The checks whose judgement asks the repository's export/import index (`usesRepoIndex`). */
export const CHECKS_USING_REPO_INDEX: ReadonlySet<string> = new Set(
  CHECKS.filter((c) => c.usesRepoIndex).map((c) => c.id),
);

/** What every check's findings carry, told apart by `kind` (the check's id). */
export type CheckEvidence = z.output<AnyCheck['evidence']>;
export const CheckEvidence = z.discriminatedUnion(
  'kind',
  ALL.map((c) => c.evidence) as unknown as [AnyCheck['evidence'], ...AnyCheck['evidence'][]],
);

/** A candidate as the registry describes it: a known check's id and that check's evidence. */
export const CheckCandidate = Candidate.extend({ rule: CheckId, evidence: CheckEvidence });
export type CheckCandidate = z.output<typeof CheckCandidate>;

/** A candidate's evidence, typed by its check; throws when no check describes it. */
export function evidenceOf(candidate: Pick<Candidate, 'evidence'>): CheckEvidence {
  return CheckEvidence.parse(candidate.evidence);
}

// --- selfreview.config: `rules.<id>` is `{ enabled, ...the check's options }`.

type SettingsOf<C extends AnyCheck> = { enabled: boolean } & z.output<C['options']>;
/** The `rules` section of a repository's configuration, by check id. */
export type RuleSettings = { [C in AnyCheck as C['id']]: SettingsOf<C> };

declare module '@selfreview/shared/config' {
  interface CheckSettings extends RuleSettings {}
}

/** Each check's switch and options, defaults included; an unknown check or option is refused. */
export const RULES_SCHEMA = z
  .object(
    Object.fromEntries(
      CHECKS.map((c) => [
        c.id,
        z
          .object({ enabled: z.boolean().default(true), ...c.options.shape })
          .strict()
          .prefault({}),
      ]),
    ),
  )
  .strict()
  .prefault({}) as unknown as z.ZodType<CheckSettings>;

/** The checks a repository's configuration leaves on, in registry order. */
export function enabledChecks(config: { rules: CheckSettings }): CheckId[] {
  return CHECK_IDS.filter((id) => config.rules[id].enabled);
}

/** Each check's options (its settings without `enabled`), by check id, as rules are given them. */
export function checkOptions(config: { rules: CheckSettings }): OptionsById {
  return Object.fromEntries(
    CHECK_IDS.map((id) => {
      const { enabled: _, ...options } = config.rules[id];
      return [id, options];
    }),
  );
}

// --- fix: one change type per check.

/** The deterministic fixes, one per change type. */
export const CODEMODS: readonly Codemod[] = CHECKS.flatMap((c) => (c.fix.codemod ? [c.fix.codemod] : []));

/** The check whose fix makes `changeType`. */
export function checkOfChangeType(changeType: ChangeType): Check | undefined {
  return CHECKS.find((c) => c.fix.changeType === changeType);
}

/** The model's task for `changeType`, when only the model makes it. */
export function modelTaskOf(changeType: ChangeType): ModelTask<unknown> | undefined {
  return checkOfChangeType(changeType)?.fix.model as ModelTask<unknown> | undefined;
}

registerCheckSettings(RULES_SCHEMA);
registerModelChangeTypes(CHECKS.flatMap((c) => (c.fix.model ? [c.fix.changeType] : [])));
