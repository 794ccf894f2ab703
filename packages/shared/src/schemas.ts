/**
 * The data every stage agrees on: candidates (scan's output), decisions (apply's
 * output), fix results (fix's output) and the run report that gathers them.
 * Field names of the report are a public contract (design.md).
 */
import { z } from 'zod';

export const RULE_IDS = [
  'unused-import',
  'unused-local',
  'unused-parameter',
  'undefined-identifier',
  'todo-comment',
  'long-function',
  'deep-nesting',
  'untested-export',
] as const;
export const RuleId = z.enum(RULE_IDS);
export type RuleId = z.infer<typeof RuleId>;

export const CHANGE_TYPES = [
  'remove_unused_import',
  'remove_unused_local',
  'remove_unused_parameter',
  'add_missing_import',
  'resolve_todo',
  'split_long_function',
  'reduce_nesting',
  'add_missing_test',
] as const;
/** Change types only the model can make (the LLM issue); without it they wait as `needs_llm`. */
export const MODEL_CHANGE_TYPES: ReadonlySet<ChangeType> = new Set([
  'resolve_todo',
  'split_long_function',
  'reduce_nesting',
  'add_missing_test',
]);
export const ChangeType = z.enum(CHANGE_TYPES);
export type ChangeType = z.infer<typeof ChangeType>;

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

/** What a rule found, with the evidence apply needs to judge it. */
export const UnusedImportEvidence = z.object({
  kind: z.literal('unused-import'),
  /** The local binding name that is never referenced. */
  name: z.string(),
  /** The imported name (`x` in `import { x as y }`), `default` or `*`. */
  importedName: z.string(),
  form: z.enum(['default', 'named', 'namespace', 'import-equals']),
  moduleSpecifier: z.string(),
  typeOnly: z.boolean(),
  /** The whole import declaration's text, for a reader. */
  statement: z.string(),
});
export type UnusedImportEvidence = z.infer<typeof UnusedImportEvidence>;

export const TodoEvidence = z.object({
  kind: z.literal('todo-comment'),
  /** TODO, FIXME, HACK or XXX, as written. */
  tag: z.string(),
  /** The comment's text without comment markers. */
  text: z.string(),
  /** A few source lines around the comment. */
  context: z.array(z.string()),
});
export type TodoEvidence = z.infer<typeof TodoEvidence>;

export const UnusedLocalEvidence = z.object({
  kind: z.literal('unused-local'),
  name: z.string(),
  declarationKind: z.enum([
    'variable',
    'function',
    'class',
    'interface',
    'type',
    'enum',
    'namespace',
    'private-member',
    'destructured',
    'other',
  ]),
  /** The initializer's text for variables (shortened), so apply can judge side effects. */
  initializer: z.string().nullable(),
  /** Whether the variable is one of several names bound by one destructuring pattern. */
  destructured: z.boolean(),
  /** The compiler's diagnostic code (6133, 6196, 6198, ...). */
  code: z.number().int(),
  /** The declaring statement's text, shortened. */
  statement: z.string(),
});
export type UnusedLocalEvidence = z.infer<typeof UnusedLocalEvidence>;

export const UnusedParameterEvidence = z.object({
  kind: z.literal('unused-parameter'),
  name: z.string(),
  /** The enclosing function's name, `<anonymous>` for an unnamed one. */
  functionName: z.string(),
  /** Zero-based position among the function's parameters (or type parameters). */
  index: z.number().int().nonnegative(),
  typeParameter: z.boolean(),
  /** Whether the unused name is one element of a destructured parameter. */
  destructured: z.boolean(),
  code: z.number().int(),
  /** The function's signature up to its body, shortened. */
  signature: z.string(),
});
export type UnusedParameterEvidence = z.infer<typeof UnusedParameterEvidence>;

export const UndefinedIdentifierEvidence = z.object({
  kind: z.literal('undefined-identifier'),
  name: z.string(),
  /** The compiler's diagnostic code (2304, 2552, 2580, ...) and message. */
  code: z.number().int(),
  compilerMessage: z.string(),
  /** The source line the name is on. */
  lineText: z.string(),
});
export type UndefinedIdentifierEvidence = z.infer<typeof UndefinedIdentifierEvidence>;

export const LongFunctionEvidence = z.object({
  kind: z.literal('long-function'),
  /** Dotted path of the function, e.g. `Parser.parseExpression` or `<anonymous>`. */
  name: z.string(),
  lines: z.number().int().positive(),
  limit: z.number().int().positive(),
});
export type LongFunctionEvidence = z.infer<typeof LongFunctionEvidence>;

export const DeepNestingEvidence = z.object({
  kind: z.literal('deep-nesting'),
  /** The innermost enclosing function's dotted path, or `<module>` at the top level. */
  functionName: z.string(),
  depth: z.number().int().positive(),
  limit: z.number().int().positive(),
});
export type DeepNestingEvidence = z.infer<typeof DeepNestingEvidence>;

export const UntestedExportEvidence = z.object({
  kind: z.literal('untested-export'),
  /** Exported name; `Class.method` for a method. */
  name: z.string(),
  exportKind: z.enum(['function', 'class', 'method']),
  /** How many test files the repository has: zero means nothing could refer to it. */
  testFiles: z.number().int().nonnegative(),
});
export type UntestedExportEvidence = z.infer<typeof UntestedExportEvidence>;

export const Evidence = z.discriminatedUnion('kind', [
  UnusedImportEvidence,
  UnusedLocalEvidence,
  UnusedParameterEvidence,
  UndefinedIdentifierEvidence,
  TodoEvidence,
  LongFunctionEvidence,
  DeepNestingEvidence,
  UntestedExportEvidence,
]);
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

/** design.md's fix_result, one per file, plus where it landed and how it was checked. */
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
