/**
 * The data every stage agrees on: candidates (scan's output), decisions (apply's
 * output), fix results (fix's output) and the run report that gathers them.
 * Field names of the report are a public contract (docs/design.md).
 */
import { z } from 'zod';

/**
 * A check's id, e.g. `unused-import`. Which checks there are is the business of
 * @selfreview/checks (its registry), a layer above: shared names none of them.
 */
export const RuleId = z.string().regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, 'expected a check id (kebab-case)');
export type RuleId = z.infer<typeof RuleId>;

/**
 * What a fix does, e.g. `remove_unused_import`: each check's fix names its own (its `fix.changeType`),
 * and the branch and commit words that go with it.
 */
export const ChangeType = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/, 'expected a change type (snake_case)');
export type ChangeType = z.infer<typeof ChangeType>;

const modelChangeTypes = new Set<ChangeType>();
/**
 * Change types only the model can make (the LLM issue); without it they wait as `needs_llm`.
 * Filled by @selfreview/checks when its registry loads (`registerModelChangeTypes`): empty
 * in a process that has not loaded it.
 */
export const MODEL_CHANGE_TYPES: ReadonlySet<ChangeType> = modelChangeTypes;

/** The checks' registry says which of its change types are the model's; called once, when it loads. */
export function registerModelChangeTypes(types: Iterable<ChangeType>): void {
  modelChangeTypes.clear();
  for (const type of types) modelChangeTypes.add(type);
}

export const VERDICTS = ['fix', 'drop', 'defer'] as const;
export const Verdict = z.enum(VERDICTS);
export type Verdict = z.infer<typeof Verdict>;

export const TODO_CLASSES = ['planned', 'actionable', 'ambiguous'] as const;
export const TodoClass = z.enum(TODO_CLASSES);
export type TodoClass = z.infer<typeof TodoClass>;

/** A path relative to the repository root that cannot escape it. */
export const RepoPath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === ''),
    { message: 'must be a relative path inside the repository' },
  );

export const GitSha = z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character hex commit id');

/**
 * What a rule found, with what apply needs to judge it and fix needs to change it. `kind` is
 * the check's id; the rest is the check's own, described by its evidence schema in
 * @selfreview/checks, which checks it where it is used.
 */
export const Evidence = z.looseObject({ kind: RuleId });
export type Evidence = z.infer<typeof Evidence>;

export const Candidate = z.object({
  /** A stable fingerprint (rule, file, symbol or normalized text), not a line number. */
  id: z.string().min(1),
  rule: RuleId,
  file: RepoPath,
  line: z.number().int().positive(),
  endLine: z.number().int().positive(),
  message: z.string(),
  evidence: Evidence,
});
export type Candidate = z.infer<typeof Candidate>;

/** For add_missing_import: the one module of the repository that exports the missing name. */
export const ImportSource = z.object({
  /** Repository-relative path of the exporting module. */
  module: RepoPath,
  /** Declared only as a type (interface, type alias): imported with `import type`. */
  typeOnly: z.boolean(),
  /** The name is that module's default export. */
  isDefault: z.boolean(),
});
export type ImportSource = z.infer<typeof ImportSource>;

export const Decision = z.object({
  candidateId: z.string(),
  verdict: Verdict,
  /** A short machine-readable reason code, e.g. `planned_todo`, `unused_import`. */
  reason: z.string(),
  /** A sentence a person can read. */
  detail: z.string(),
  confidence: z.number().min(0).max(1),
  todoClass: TodoClass.optional(),
  changeType: ChangeType.optional(),
  importFrom: ImportSource.optional(),
});
export type Decision = z.infer<typeof Decision>;

/** One change fix is asked to make: a candidate with apply's verdict attached. */
export const FixItem = z.object({
  candidate: Candidate,
  changeType: ChangeType,
  confidence: z.number().min(0).max(1),
  /** Set by apply for add_missing_import, so fix needs no repository index of its own. */
  importFrom: ImportSource.optional(),
});
export type FixItem = z.infer<typeof FixItem>;

export const FIX_STATUSES = ['committed', 'failed', 'carried_over'] as const;
export const FixStatus = z.enum(FIX_STATUSES);
export type FixStatus = z.infer<typeof FixStatus>;

/**
 * `unavailable`: the check could not judge the change because it fails the same way at the
 * base commit (tests that never pass in a worktree, a typecheck that crashes at the base).
 */
export const CheckOutcome = z.enum(['pass', 'fail', 'skipped', 'unavailable']);
export type CheckOutcome = z.infer<typeof CheckOutcome>;

/** The fix result of docs/design.md, one per file, plus where it landed and how it was checked. */
export const FixResult = z.object({
  batchId: z.string(),
  file: RepoPath,
  change_type: ChangeType,
  lines_affected: z.array(z.number().int().positive()),
  confidence: z.number().min(0).max(1),
  rollback_ref: GitSha,
  branch: z.string().nullable(),
  commit: GitSha.nullable(),
  status: FixStatus,
  verification: z.object({ typecheck: CheckOutcome, tests: CheckOutcome }),
  reason: z.string(),
  candidateIds: z.array(z.string()),
});
export type FixResult = z.infer<typeof FixResult>;

export const StageScan = z.object({
  files: z.number().int().nonnegative(),
  candidates: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export const StageApply = z.object({
  fix: z.number().int().nonnegative(),
  drop: z.number().int().nonnegative(),
  defer: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export const StageFix = z.object({
  batches: z.number().int().nonnegative(),
  committed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  carriedOver: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});

export const FORGE_KINDS = ['github', 'gitlab'] as const;
export const ForgeKind = z.enum(FORGE_KINDS);
export type ForgeKind = z.infer<typeof ForgeKind>;

/**
 * What became of one batch's branch: proposed as a pull/merge request (`opened`, or
 * `updated` when a re-run found its own), kept `local_only` (with the reason), or `failed`.
 */
export const PullRequestRecord = z.object({
  batchId: z.string(),
  branch: z.string(),
  status: z.enum(['opened', 'updated', 'local_only', 'failed']),
  forge: ForgeKind.nullable(),
  url: z.string().nullable(),
  number: z.number().int().nullable(),
  labels: z.array(z.string()),
  reason: z.string(),
});
export type PullRequestRecord = z.infer<typeof PullRequestRecord>;

export const RunReport = z.object({
  runId: z.string(),
  repo: z.object({ path: z.string(), baseBranch: z.string(), baseSha: GitSha }),
  startedAt: z.string(),
  finishedAt: z.string(),
  stages: z.object({ scan: StageScan, apply: StageApply, fix: StageFix }),
  candidates: z.array(
    Candidate.pick({ id: true, rule: true, file: true, line: true, endLine: true, message: true }),
  ),
  decisions: z.array(Decision),
  fixes: z.array(FixResult),
  /** The model's use in this run: answered calls and their tokens (from the responses' usage), and a cost estimate. */
  model: z.object({
    enabled: z.boolean(),
    calls: z.number().int().min(0),
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    estimatedCostUsd: z.number().min(0),
  }),
  /** One per batch that committed: its pull/merge request, or why its branch stayed local. */
  pullRequests: z.array(PullRequestRecord),
  /** Files skipped and other things a person should know about the run. */
  warnings: z.array(z.string()),
  /** What the run lost (semantic rules that did not run for a project's files); absent when nothing was. */
  errors: z.array(z.string()).optional(),
});
export type RunReport = z.infer<typeof RunReport>;
