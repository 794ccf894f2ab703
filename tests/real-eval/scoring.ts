/**
 * Scoring one evaluation: which injected problems a fix branch removed, which branches broke
 * the typecheck or the tests, which changed more than the injections (real findings), and the
 * pipeline's own counts from its run report. Pure: every input was read from git before.
 */
import type { Diagnostic } from '@selfreview/shared/tsc-output';
import type { ManifestEntry } from './planner.ts';

/** A changed range on the old (base) side of a diff; `lines` 0 is a pure insertion after `start`. */
export type Hunk = { file: string; start: number; lines: number };

/** The hunks of `git diff -U0 base tip`, by the base's file names. */
export function parseHunks(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  let file: string | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('--- ')) {
      file = line === '--- /dev/null' ? null : line.slice(4).replace(/^a\//, '');
      continue;
    }
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(line);
    if (m && file !== null)
      hunks.push({ file, start: Number(m[1]), lines: m[2] === undefined ? 1 : Number(m[2]) });
  }
  return hunks;
}

export type TestOutcome =
  | { status: 'pass'; detail: string }
  | { status: 'newly_failing'; detail: string }
  | { status: 'unavailable'; detail: string }
  | { status: 'none'; detail: string };

/** What was read from one `selfreview/*` branch. */
export type BranchInspection = {
  branch: string;
  tip: string;
  /** Commits on the branch that the base does not have. */
  commitsAhead: number;
  /** Whether the base is the parent of the tip. */
  onBase: boolean;
  files: string[];
  hunks: Hunk[];
  diffStat: string;
  /** The tip's text of each touched file (null: deleted). */
  tipTexts: Record<string, string | null>;
  /** Diagnostics at the tip that the base does not have; null when the typecheck could not run. */
  newDiagnostics: Pick<Diagnostic, 'file' | 'code' | 'message'>[] | null;
  typecheckError: string | null;
  tests: TestOutcome;
};

export type PipelineReport = {
  stages: {
    scan: { candidates: number };
    apply: { fix: number };
    fix: { batches: number; committed: number; failed: number; carriedOver: number };
  };
  fixes: { status: string; reason: string; branch: string | null }[];
  startedAt: string;
  finishedAt: string;
};

export type InjectionResult = ManifestEntry & { removedOn: string | null };

export type BranchResult = {
  branch: string;
  tip: string;
  oneCommitOnBase: boolean;
  filesTouched: number;
  withinFileLimit: boolean;
  removedInjections: string[];
  /** Changed lines that are not an injected line: what selfreview found in the real code. */
  otherChanges: boolean;
  broken: string[];
  tests: TestOutcome['status'];
  diffStat: string;
};

export type Score = {
  injected: number;
  removed: number;
  recall: number | null;
  injections: InjectionResult[];
  branches: BranchResult[];
  brokenBranches: string[];
  malformedBranches: string[];
  realFindings: { branch: string; diffStat: string }[];
  baseUntouched: boolean;
  baseProblems: string[];
  pipeline: {
    candidates: number | null;
    fixVerdicts: number | null;
    batches: number | null;
    committed: number | null;
    failed: number | null;
    carriedOver: number | null;
    topFailureReasons: { reason: string; count: number }[];
    runMinutes: number | null;
    minutesPerBatch: number | null;
  };
};

export const MAX_FILES_PER_BRANCH = 2;

function occurs(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w$])_*${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);
}

function covers(hunk: Hunk, file: string, line: number): boolean {
  return hunk.file === file && hunk.lines > 0 && line >= hunk.start && line < hunk.start + hunk.lines;
}

/** An injection counts as removed on a branch whose commit changed its line and whose tip no longer has its name. */
export function removedBy(entry: ManifestEntry, branch: BranchInspection): boolean {
  if (!branch.hunks.some((h) => covers(h, entry.file, entry.line))) return false;
  const tipText = branch.tipTexts[entry.file];
  if (tipText === undefined) return false;
  // A deleted file has no problem left, though a person would want to know why it went.
  return tipText === null || !occurs(tipText, entry.name);
}

export function scoreEvaluation(input: {
  manifest: readonly ManifestEntry[];
  branches: readonly BranchInspection[];
  report: PipelineReport | null;
  baseProblems: readonly string[];
}): Score {
  const injections: InjectionResult[] = input.manifest.map((entry) => ({
    ...entry,
    removedOn: input.branches.find((b) => removedBy(entry, b))?.branch ?? null,
  }));
  const branches: BranchResult[] = input.branches.map((b) => {
    const removed = input.manifest.filter((e) => removedBy(e, b));
    const injectedLines = input.manifest.filter((e) => b.files.includes(e.file));
    const otherChanges = b.hunks.some(
      (h) => h.lines === 0 || !injectedLines.some((e) => covers(h, e.file, e.line) && h.lines === 1),
    );
    const broken: string[] = [];
    if (b.newDiagnostics === null) broken.push(`typecheck did not run: ${b.typecheckError ?? 'unknown'}`);
    else if (b.newDiagnostics.length > 0) {
      const first = b.newDiagnostics[0]!;
      broken.push(
        `typecheck: ${b.newDiagnostics.length} new diagnostic(s), e.g. ${first.file ?? '-'} TS${first.code} ${first.message.split('\n')[0]}`,
      );
    }
    if (b.tests.status === 'newly_failing') broken.push(`tests: ${b.tests.detail}`);
    return {
      branch: b.branch,
      tip: b.tip,
      oneCommitOnBase: b.commitsAhead === 1 && b.onBase,
      filesTouched: b.files.length,
      withinFileLimit: b.files.length <= MAX_FILES_PER_BRANCH,
      removedInjections: removed.map((e) => `${e.file}:${e.line} ${e.kind} ${e.name}`),
      otherChanges,
      broken,
      tests: b.tests.status,
      diffStat: b.diffStat,
    };
  });
  const removedCount = injections.filter((i) => i.removedOn !== null).length;
  return {
    injected: injections.length,
    removed: removedCount,
    recall: injections.length === 0 ? null : removedCount / injections.length,
    injections,
    branches,
    brokenBranches: branches.filter((b) => b.broken.length > 0).map((b) => b.branch),
    malformedBranches: branches.filter((b) => !b.oneCommitOnBase || !b.withinFileLimit).map((b) => b.branch),
    realFindings: branches
      .filter((b) => b.otherChanges)
      .map((b) => ({ branch: b.branch, diffStat: b.diffStat })),
    baseUntouched: input.baseProblems.length === 0,
    baseProblems: [...input.baseProblems],
    pipeline: pipelineNumbers(input.report),
  };
}

function pipelineNumbers(report: PipelineReport | null): Score['pipeline'] {
  if (!report) {
    return {
      candidates: null,
      fixVerdicts: null,
      batches: null,
      committed: null,
      failed: null,
      carriedOver: null,
      topFailureReasons: [],
      runMinutes: null,
      minutesPerBatch: null,
    };
  }
  const reasons = new Map<string, number>();
  for (const f of report.fixes)
    if (f.status === 'failed') reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
  const runMinutes = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 60_000;
  const { batches } = report.stages.fix;
  return {
    candidates: report.stages.scan.candidates,
    fixVerdicts: report.stages.apply.fix,
    batches,
    committed: report.stages.fix.committed,
    failed: report.stages.fix.failed,
    carriedOver: report.stages.fix.carriedOver,
    topFailureReasons: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
      .slice(0, 3),
    runMinutes,
    minutesPerBatch: batches > 0 ? runMinutes / batches : null,
  };
}
