/**
 * Scores apply on the real-code corpus: re-runs scan + apply on each repository's checkout
 * at its pinned commit and compares the `fix` verdicts with the labels. A checkout that is
 * missing, or lacks the pinned commit, is skipped with a reason, never failed.
 */

import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type LabeledDecision, RealCorpus } from '@selfreview/apply/real-corpus';
import { evidenceOf } from '@selfreview/checks';
import type { Candidate } from '@selfreview/shared/schemas';
import { type JudgedCandidate, scanAndJudge } from './run-repo.ts';

const exec = promisify(execFile);

export const CORPUS_FILE = fileURLToPath(new URL('./corpus.json', import.meta.url));
/** Where the checkouts are: `<dir>/<repo name>`. */
export const DEFAULT_REPOS_DIR = '/work/real';

export async function loadCorpus(file = CORPUS_FILE): Promise<RealCorpus> {
  return RealCorpus.parse(JSON.parse(await readFile(file, 'utf8')));
}

export function nameOf(c: Candidate): string {
  const e = evidenceOf(c);
  if (e.kind === 'todo-comment') return e.tag;
  return e.kind === 'deep-nesting' ? e.functionName : e.name;
}

/** Lines a labeled decision may have moved by between runs of the same commit: none. */
function sameFinding(d: LabeledDecision, c: Candidate): boolean {
  return c.file === d.file && c.rule === d.rule && c.line === d.line && nameOf(c) === d.name;
}

export interface Disagreement {
  decision: LabeledDecision;
  /** What apply says now: `fix unused_local`, `drop type_test`, or `not reported`. */
  got: string;
}

export interface RepoScore {
  repo: string;
  labeled: number;
  labeledFix: number;
  /** `fix` verdicts now on labeled decisions, split by the label. */
  truePositives: number;
  falsePositives: number;
  /** Labeled `fix` that apply no longer fixes. */
  falseNegatives: number;
  disagreements: Disagreement[];
  /** `fix` verdicts on findings the corpus has no label for (new since sampling): label them. */
  unlabeledFixes: JudgedCandidate[];
}

export function scoreRepo(
  repo: string,
  decisions: readonly LabeledDecision[],
  judged: readonly JudgedCandidate[],
): RepoScore {
  const score: RepoScore = {
    repo,
    labeled: decisions.length,
    labeledFix: decisions.filter((d) => d.expected === 'fix').length,
    truePositives: 0,
    falsePositives: 0,
    falseNegatives: 0,
    disagreements: [],
    unlabeledFixes: [],
  };
  for (const d of decisions) {
    const matches = judged.filter((j) => sameFinding(d, j.candidate));
    // Two candidates can share a key (the same name twice on a line); a fix of either counts.
    const fix = matches.find((j) => j.decision.verdict === 'fix');
    const now = fix ?? matches[0];
    const got = now ? `${now.decision.verdict} ${now.decision.reason}` : 'not reported';
    if (fix && d.expected === 'fix') score.truePositives++;
    else if (fix) score.falsePositives++;
    else if (d.expected === 'fix') score.falseNegatives++;
    if (Boolean(fix) !== (d.expected === 'fix')) score.disagreements.push({ decision: d, got });
  }
  score.unlabeledFixes = judged.filter(
    (j) => j.decision.verdict === 'fix' && !decisions.some((d) => sameFinding(d, j.candidate)),
  );
  return score;
}

export type RepoOutcome = { repo: string; skipped: string } | RepoScore;

export interface RealEvaluation {
  outcomes: RepoOutcome[];
  total: {
    labeled: number;
    truePositives: number;
    falsePositives: number;
    falseNegatives: number;
    precision: number;
    recall: number;
  };
}

/** Why a checkout cannot be evaluated, or undefined when it can. */
async function checkoutProblem(dir: string, commit: string): Promise<string | undefined> {
  if (!(await stat(path.join(dir, '.git')).catch(() => null))) return `no git checkout at ${dir}`;
  try {
    await exec('git', ['-C', dir, 'cat-file', '-e', `${commit}^{commit}`]);
    return undefined;
  } catch {
    return `${dir} does not have the pinned commit ${commit.slice(0, 12)} (fetch it)`;
  }
}

export async function evaluateRealCorpus(opts: {
  corpus: RealCorpus;
  reposDir: string;
  run?: (root: string, commit: string) => Promise<JudgedCandidate[]>;
  progress?: (line: string) => void;
}): Promise<RealEvaluation> {
  const run = opts.run ?? scanAndJudge;
  const outcomes: RepoOutcome[] = [];
  for (const repo of opts.corpus.repos) {
    const dir = path.join(opts.reposDir, repo.name);
    const problem = await checkoutProblem(dir, repo.commit);
    if (problem) {
      outcomes.push({ repo: repo.name, skipped: problem });
      continue;
    }
    opts.progress?.(`scanning and judging ${repo.name} at ${repo.commit.slice(0, 12)}`);
    const judged = await run(dir, repo.commit);
    outcomes.push(
      scoreRepo(
        repo.name,
        opts.corpus.decisions.filter((d) => d.repo === repo.name),
        judged,
      ),
    );
  }
  const scored = outcomes.filter((o): o is RepoScore => !('skipped' in o));
  const sum = (f: (s: RepoScore) => number) => scored.reduce((n, s) => n + f(s), 0);
  const tp = sum((s) => s.truePositives);
  const fp = sum((s) => s.falsePositives);
  const fn = sum((s) => s.falseNegatives);
  return {
    outcomes,
    total: {
      labeled: sum((s) => s.labeled),
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    },
  };
}
