/**
 * Scores apply against the labeled corpus in tests/apply-corpus/cases: every case is made
 * a real git repository, scanned with the real scanner, and each file's candidates judged
 * the way the apply worker judges them (no memory of earlier runs).
 */

import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evidenceOf } from '@selfreview/checks';
import { findNativeTsc } from '@selfreview/scan';
import type { Candidate, Decision } from '@selfreview/shared/schemas';
import { Repository } from '@selfreview/shared/workspace';
import { makeRepo, tempDir } from '../helpers/git.ts';
import { judgeCommit } from '../real-corpus/run-repo.ts';

export const CASES = fileURLToPath(new URL('./cases/', import.meta.url));

const DEFAULT_TSCONFIG = `${JSON.stringify({
  compilerOptions: {
    strict: true,
    target: 'es2022',
    module: 'esnext',
    moduleResolution: 'bundler',
    jsx: 'react-jsx',
    experimentalDecorators: true,
    types: [],
    lib: ['es2022', 'dom'],
  },
  include: ['src'],
})}\n`;

export interface Expectation {
  rule: Candidate['rule'];
  file: string;
  name: string;
  text?: string;
  verdict: 'fix';
}

export interface CaseResult {
  name: string;
  kind: 'correct-code' | 'problem';
  /** Expected fixes that got `fix`. */
  found: Expectation[];
  /** Expected fixes that did not (with what they got instead, or 'not reported'). */
  missed: { expectation: Expectation; got: string }[];
  /** `fix` verdicts on candidates nobody expected to be fixed. */
  falseFixes: { candidate: Candidate; decision: Decision }[];
  decisions: { candidate: Candidate; decision: Decision }[];
}

function nameOf(c: Candidate): string {
  const e = evidenceOf(c);
  return e.kind === 'todo-comment' ? e.tag : 'name' in e ? e.name : '';
}

function matches(c: Candidate, x: Expectation): boolean {
  if (c.rule !== x.rule || c.file !== x.file || nameOf(c) !== x.name) return false;
  const e = evidenceOf(c);
  return x.text === undefined || (e.kind === 'todo-comment' && e.text.includes(x.text));
}

export async function listCases(): Promise<string[]> {
  const entries = await readdir(CASES, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export async function evaluateCase(name: string, tscPath: string | null): Promise<CaseResult> {
  const source = path.join(CASES, name);
  const expected = JSON.parse(await readFile(path.join(source, 'expected.json'), 'utf8')) as {
    kind: CaseResult['kind'];
    expect: Expectation[];
  };
  const dir = await makeRepo(source);
  const workDir = await tempDir('selfreview-eval-');
  try {
    if (!(await stat(path.join(dir, 'tsconfig.json')).catch(() => null))) {
      await writeFile(path.join(dir, 'tsconfig.json'), DEFAULT_TSCONFIG);
      const { git } = await import('../helpers/git.ts');
      await git(dir, 'add', 'tsconfig.json');
      await git(
        dir,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@localhost',
        'commit',
        '--quiet',
        '-m',
        'tsconfig',
      );
    }
    const repo = await Repository.open(dir);
    const { sha } = await repo.head();
    const decisions: CaseResult['decisions'] = await judgeCommit(repo, sha, {
      workDir,
      tscPath,
      timeoutMs: 120_000,
    });
    const result: CaseResult = {
      name,
      kind: expected.kind,
      found: [],
      missed: [],
      falseFixes: [],
      decisions,
    };
    for (const x of expected.expect) {
      const hit = decisions.find((d) => matches(d.candidate, x));
      if (hit?.decision.verdict === 'fix') result.found.push(x);
      else
        result.missed.push({
          expectation: x,
          got: hit ? `${hit.decision.verdict} ${hit.decision.reason}` : 'not reported',
        });
    }
    for (const d of decisions) {
      if (d.decision.verdict === 'fix' && !expected.expect.some((x) => matches(d.candidate, x)))
        result.falseFixes.push(d);
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}

export interface Score {
  cases: number;
  correctCodeCases: number;
  problemCases: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Of all `fix` verdicts, the share that were expected. */
  precision: number;
  /** Of all expected fixes, the share that got `fix`. */
  recall: number;
  /** `fix` verdicts in correct-code cases (must be 0). */
  fixesInCorrectCode: number;
  dropReasons: Record<string, number>;
  deferReasons: Record<string, number>;
}

export function score(results: readonly CaseResult[]): Score {
  const tp = results.reduce((n, r) => n + r.found.length, 0);
  const fp = results.reduce((n, r) => n + r.falseFixes.length, 0);
  const fn = results.reduce((n, r) => n + r.missed.length, 0);
  const count = (verdict: string) => {
    const out: Record<string, number> = {};
    for (const r of results) {
      for (const d of r.decisions)
        if (d.decision.verdict === verdict) out[d.decision.reason] = (out[d.decision.reason] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
  };
  return {
    cases: results.length,
    correctCodeCases: results.filter((r) => r.kind === 'correct-code').length,
    problemCases: results.filter((r) => r.kind === 'problem').length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    fixesInCorrectCode: results
      .filter((r) => r.kind === 'correct-code')
      .reduce((n, r) => n + r.falseFixes.length, 0),
    dropReasons: count('drop'),
    deferReasons: count('defer'),
  };
}

export async function evaluateAll(): Promise<{ results: CaseResult[]; score: Score }> {
  const tscPath = await findNativeTsc();
  const results: CaseResult[] = [];
  for (const name of await listCases()) results.push(await evaluateCase(name, tscPath));
  return { results, score: score(results) };
}
