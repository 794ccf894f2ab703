import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from './planner.ts';
import {
  type BranchInspection,
  type PipelineReport,
  parseHunks,
  removedBy,
  scoreEvaluation,
} from './scoring.ts';

const DIFF = `diff --git a/src/a.ts b/src/a.ts
index 1111111..2222222 100644
--- a/src/a.ts
+++ b/src/a.ts
@@ -3 +2,0 @@ import x from './x';
-import { ZERO } from './money';
@@ -10,2 +9,2 @@ function f() {
-  const retryCount = 0;
-  return 1;
+  return 1;
diff --git a/src/new.ts b/src/new.ts
new file mode 100644
--- /dev/null
+++ b/src/new.ts
@@ -0,0 +1 @@
+export {};
`;

const IMPORT: ManifestEntry = {
  file: 'src/a.ts',
  kind: 'unused-import',
  name: 'ZERO',
  line: 3,
  text: "import { ZERO } from './money';",
};
const LOCAL: ManifestEntry = {
  file: 'src/a.ts',
  kind: 'unused-local',
  name: 'retryCount',
  line: 10,
  text: 'const retryCount = 0;',
};
const PARAM: ManifestEntry = {
  file: 'src/b.ts',
  kind: 'unused-parameter',
  name: 'verbose',
  line: 4,
  text: 'verbose?: boolean',
};

function branch(over: Partial<BranchInspection>): BranchInspection {
  return {
    branch: 'selfreview/one',
    tip: 'b'.repeat(40),
    commitsAhead: 1,
    onBase: true,
    files: ['src/a.ts'],
    hunks: [{ file: 'src/a.ts', start: 3, lines: 1 }],
    diffStat: ' src/a.ts | 1 -',
    tipTexts: { 'src/a.ts': "import x from './x';\n" },
    newDiagnostics: [],
    typecheckError: null,
    tests: { status: 'pass', detail: '' },
    ...over,
  };
}

describe('parseHunks', () => {
  it('reads the base-side ranges of a -U0 diff, by file', () => {
    expect(parseHunks(DIFF)).toEqual([
      { file: 'src/a.ts', start: 3, lines: 1 },
      { file: 'src/a.ts', start: 10, lines: 2 },
    ]);
  });
});

describe('removedBy', () => {
  it('needs the commit to change the injected line and the tip to be rid of the name', () => {
    expect(removedBy(IMPORT, branch({}))).toBe(true);
    // The line changed but the name is still imported (say, moved into another import).
    expect(
      removedBy(IMPORT, branch({ tipTexts: { 'src/a.ts': "import { ZERO } from './money.ts';\n" } })),
    ).toBe(false);
    // The name is gone from the tip but the commit did not touch its line.
    expect(removedBy(LOCAL, branch({}))).toBe(false);
    expect(removedBy(PARAM, branch({}))).toBe(false);
  });

  it('does not count an underscore prefix as removal', () => {
    const renamed = branch({
      files: ['src/b.ts'],
      hunks: [{ file: 'src/b.ts', start: 4, lines: 1 }],
      tipTexts: { 'src/b.ts': 'function f(a: number, _verbose?: boolean) {}\n' },
    });
    expect(removedBy(PARAM, renamed)).toBe(false);
  });
});

const REPORT: PipelineReport = {
  stages: {
    scan: { candidates: 40 },
    apply: { fix: 12 },
    fix: { batches: 4, committed: 5, failed: 3, carriedOver: 1 },
  },
  fixes: [
    { status: 'failed', reason: 'typecheck_failed', branch: null },
    { status: 'failed', reason: 'typecheck_failed', branch: null },
    { status: 'failed', reason: 'gate_rejected', branch: null },
    { status: 'committed', reason: 'ok', branch: 'selfreview/one' },
  ],
  startedAt: '2026-01-01T10:00:00.000Z',
  finishedAt: '2026-01-01T10:06:00.000Z',
};

describe('scoreEvaluation', () => {
  it('computes recall over the manifest and the pipeline numbers from the report', () => {
    const score = scoreEvaluation({
      manifest: [IMPORT, LOCAL, PARAM],
      branches: [branch({})],
      report: REPORT,
      baseProblems: [],
    });
    expect(score.injected).toBe(3);
    expect(score.removed).toBe(1);
    expect(score.recall).toBeCloseTo(1 / 3);
    expect(score.injections.map((i) => i.removedOn)).toEqual(['selfreview/one', null, null]);
    expect(score.pipeline).toMatchObject({
      candidates: 40,
      fixVerdicts: 12,
      batches: 4,
      committed: 5,
      failed: 3,
      topFailureReasons: [
        { reason: 'typecheck_failed', count: 2 },
        { reason: 'gate_rejected', count: 1 },
      ],
      runMinutes: 6,
      minutesPerBatch: 1.5,
    });
    expect(score.brokenBranches).toEqual([]);
    expect(score.realFindings).toEqual([]);
    expect(score.baseUntouched).toBe(true);
  });

  it('counts a branch that changed lines other than injected ones as a real finding', () => {
    const wider = branch({
      hunks: [
        { file: 'src/a.ts', start: 3, lines: 1 },
        { file: 'src/a.ts', start: 20, lines: 1 },
      ],
    });
    expect(
      scoreEvaluation({ manifest: [IMPORT], branches: [wider], report: null, baseProblems: [] }).realFindings,
    ).toEqual([{ branch: 'selfreview/one', diffStat: ' src/a.ts | 1 -' }]);
  });

  it('flags broken and malformed branches and a moved base', () => {
    const broken = branch({
      branch: 'selfreview/broken',
      newDiagnostics: [{ file: 'src/a.ts', code: 2304, message: "Cannot find name 'x'." }],
      tests: { status: 'newly_failing', detail: '1 newly failing' },
    });
    const wide = branch({ branch: 'selfreview/wide', files: ['a.ts', 'b.ts', 'c.ts'], commitsAhead: 2 });
    const untested = branch({
      branch: 'selfreview/unchecked',
      newDiagnostics: null,
      typecheckError: 'timed out',
    });
    const score = scoreEvaluation({
      manifest: [IMPORT],
      branches: [broken, wide, untested],
      report: null,
      baseProblems: ['HEAD moved'],
    });
    expect(score.brokenBranches).toEqual(['selfreview/broken', 'selfreview/unchecked']);
    expect(score.branches[0]!.broken).toEqual([
      "typecheck: 1 new diagnostic(s), e.g. src/a.ts TS2304 Cannot find name 'x'.",
      'tests: 1 newly failing',
    ]);
    expect(score.malformedBranches).toEqual(['selfreview/wide']);
    expect(score.baseUntouched).toBe(false);
    expect(score.pipeline.candidates).toBeNull();
  });

  it('has no recall without injections', () => {
    expect(scoreEvaluation({ manifest: [], branches: [], report: null, baseProblems: [] }).recall).toBeNull();
  });
});
