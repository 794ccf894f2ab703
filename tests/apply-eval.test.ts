/**
 * The false-positive rate, measured in the open: apply on the labeled corpus
 * (tests/apply-corpus). No case labeled correct code may get `fix`; at least 95% of the
 * labeled problems must.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type CaseResult, evaluateAll, type Score } from './apply-corpus/evaluation.ts';

let results: CaseResult[];
let score: Score;

beforeAll(async () => {
  ({ results, score } = await evaluateAll());
}, 600_000);

describe('apply on the labeled corpus', () => {
  it('has at least 60 cases, of both kinds', () => {
    expect(score.cases).toBeGreaterThanOrEqual(60);
    expect(score.correctCodeCases).toBeGreaterThanOrEqual(20);
    expect(score.problemCases).toBeGreaterThanOrEqual(20);
  });

  it('never gives `fix` to a candidate in a case labeled correct code (precision 1.00 there)', () => {
    const wrong = results
      .filter((r) => r.kind === 'correct-code')
      .flatMap((r) =>
        r.falseFixes.map((f) => `${r.name}: ${f.candidate.rule} ${f.candidate.file}:${f.candidate.line}`),
      );
    expect(wrong).toEqual([]);
  });

  it('finds at least 95% of the labeled problems (recall)', () => {
    const missed = results.flatMap((r) =>
      r.missed.map((m) => `${r.name}: ${m.expectation.rule} ${m.expectation.name} (${m.got})`),
    );
    expect(score.recall, missed.join('\n')).toBeGreaterThanOrEqual(0.95);
  });
});
