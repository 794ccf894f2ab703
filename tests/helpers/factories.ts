/**
 * Builders of what a run holds, for tests: its metadata, candidates (an unused import, a TODO
 * comment), apply's decisions, fixable items and fix results. Each gives the values most tests
 * want; a test passes what it cares about. Pure: no Redis, no files, so the packages' unit
 * tests can use them too.
 */
import type { RunMeta } from '@selfreview/shared/runs';
import type { Candidate, Decision, FixItem, FixResult } from '@selfreview/shared/schemas';

/** The base commit the builders put in a run unless told otherwise. */
export const BASE_SHA = 'a'.repeat(40);

/** A run's metadata: `main` at `BASE_SHA` in /tmp/repo, started at a fixed time. */
export function runMeta(runId: string, fields: Partial<RunMeta> = {}): RunMeta {
  return {
    runId,
    repoPath: '/tmp/repo',
    baseBranch: 'main',
    baseSha: BASE_SHA,
    startedAt: '2026-01-02T03:04:05.000Z',
    ...fields,
  };
}

/** What a stage's job says of its run: the run, its repository, branch `main` and base commit. */
export function runTarget(runId: string, repoPath: string, baseSha = BASE_SHA) {
  return { runId, repo: { path: repoPath }, baseBranch: 'main', baseSha };
}

/** The metadata of the run `target` names, started now. */
export function startedRun(target: ReturnType<typeof runTarget>): RunMeta {
  return runMeta(target.runId, {
    repoPath: target.repo.path,
    baseBranch: target.baseBranch,
    baseSha: target.baseSha,
    startedAt: new Date().toISOString(),
  });
}

/** `import { <name> } from '<from>'` at `line` of `file` (1, from './mod'), never used. */
export function unusedImport(
  file: string,
  name: string,
  { line = 1, from = './mod' }: { line?: number; from?: string } = {},
): Candidate {
  return {
    id: `unused-import:${file}:${name}`,
    rule: 'unused-import',
    file,
    line,
    endLine: line,
    message: `'${name}' is imported but never used`,
    evidence: {
      kind: 'unused-import',
      name,
      importedName: name,
      form: 'named',
      moduleSpecifier: from,
      typeOnly: false,
      statement: `import { ${name} } from '${from}';`,
    },
  };
}

/** `// TODO <text>` at line 3 of `file`; `context`: the lines around it, else the comment alone. */
export function todoComment(file: string, text: string, context = [`// TODO ${text}`]): Candidate {
  return {
    id: `todo-comment:${file}:${text}`,
    rule: 'todo-comment',
    file,
    line: 3,
    endLine: 3,
    message: `TODO: ${text}`,
    evidence: { kind: 'todo-comment', tag: 'TODO', text, context },
  };
}

/** Apply's verdict on `candidate` for `reason`, with confidence 0.9 unless `fields` says otherwise. */
export function decision(
  candidate: Candidate,
  verdict: Decision['verdict'],
  reason: string,
  fields: Partial<Omit<Decision, 'candidateId' | 'verdict' | 'reason'>> = {},
): Decision {
  return { candidateId: candidate.id, verdict, reason, detail: 'because', confidence: 0.9, ...fields };
}

/** A fixable item: `candidate` to be fixed by removing an unused import, with confidence 0.9. */
export function fixItem(candidate: Candidate, fields: Partial<Omit<FixItem, 'candidate'>> = {}): FixItem {
  return { candidate, changeType: 'remove_unused_import', confidence: 0.9, ...fields };
}

/**
 * The result of fixing `file` (an unused import `x`) in batch `batchId`: committed on
 * `selfreview/<batchId>` with typecheck and tests passing, or, for any other status, with no
 * branch or commit, the tests skipped and the reason a failed typecheck.
 */
export function fixResult(
  batchId: string,
  file: string,
  status: FixResult['status'] = 'committed',
  fields: Partial<FixResult> = {},
): FixResult {
  const committed = status === 'committed';
  return {
    batchId,
    file,
    change_type: 'remove_unused_import',
    lines_affected: [1],
    confidence: 0.95,
    rollback_ref: BASE_SHA,
    branch: committed ? `selfreview/${batchId}` : null,
    commit: committed ? 'b'.repeat(40) : null,
    status,
    verification: { typecheck: 'pass', tests: committed ? 'pass' : 'skipped' },
    reason: committed ? 'ok' : 'typecheck failed',
    candidateIds: [`unused-import:${file}:x`],
    ...fields,
  };
}
