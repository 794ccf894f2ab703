/**
 * Step 6, commit: one commit of the works that passed (and the test files the model wrote for
 * them) on the batch's branch, its message listing the changes, the verification and trailers.
 */
import { commitMessage } from '../branch.ts';
import { TESTS_NOT_RUN } from '../proposal.ts';
import { NO_TESTS_FOUND, RUNTIME_UNCHANGED, type TestVerdict } from '../verification.ts';
import type { Committed } from './attempt.ts';
import type { Verified } from './verify.ts';
import { committed } from './work.ts';
import type { BatchInWorktree } from './worktree.ts';

export async function commitBatch(
  { wt, data, branch, log }: BatchInWorktree,
  { work, kept, created, tests, verification, notes }: Verified,
): Promise<Committed> {
  const commit = await wt.commit(
    [...new Set([...kept.map((w) => w.file), ...created])],
    commitMessage({
      batchId: data.batchId,
      runId: data.runId,
      baseSha: data.baseSha,
      files: kept.map((w) => ({ file: w.file, summary: w.summary, lines: w.lines })),
      changeTypes: kept.flatMap((w) => w.items.map((i) => i.changeType)),
      typecheck:
        verification.typecheck === 'pass'
          ? 'pass (no new diagnostics against the base commit)'
          : 'unavailable (it cannot run at the base commit)',
      tests: testsLine(tests),
    }),
  );
  const testsNotRun =
    tests.outcome === 'unavailable' || tests.detail === RUNTIME_UNCHANGED || tests.detail === NO_TESTS_FOUND
      ? [`${TESTS_NOT_RUN}${tests.detail}`]
      : [];
  const done = work.map((w) =>
    w.status === 'pending' && kept.includes(w) ? committed(w, [...w.summary, ...testsNotRun].join('; ')) : w,
  );
  log.info({ branch, commit, files: kept.length, tests: tests.outcome }, 'batch committed');
  return { outcome: 'committed', commit, work: done, verification, notes };
}

function testsLine(tests: TestVerdict): string {
  switch (tests.outcome) {
    case 'pass':
      return `pass (${tests.detail})`;
    case 'unavailable':
      return `not run: ${tests.detail}`;
    default:
      return `skipped (${tests.detail})`;
  }
}
