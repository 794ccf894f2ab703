/**
 * HOOK: "push scan on a warm worker". To be written.
 *
 * scan-bench.ts calls `measureWarmPushScan` once per corpus, after the three tools have run, and
 * appends the row it returns to that corpus's table (the "time ÷ tsc" column fills in by itself).
 * Returning undefined adds no row; throwing adds a failed row with the error's message.
 *
 * Two ways to fill a row:
 * - a child process: `measureProcess(command, args, { cwd: corpus.repo, timeoutMs: ctx.timeoutMs })`
 *   from ./measure.ts gives wall time and the peak memory of its whole process tree; turn each run
 *   into a RunRecord with `runRecord(measurement, outcome)` and the runs into a row with
 *   `summarizeRuns(id, label, runs)` (both in ./report.ts).
 * - a long-lived worker started here: time the push with `performance.now()` and build the ToolRow
 *   directly (`{ id, label, ok: true, wallMs, findings, runs: [] }`); the worker's memory can be
 *   read from /proc/<pid>/status (VmHWM) before it is stopped. Stop it before returning, so the
 *   benchmark ends by itself.
 */
import type { PreparedCorpus } from './corpora.ts';
import type { ToolRow } from './report.ts';

export type WarmPushContext = {
  /** Per child process or per push; the whole measurement should stay within a few of these. */
  timeoutMs: number;
  /** --runs: how many times each measurement is repeated. */
  runs: number;
  /** Progress on stderr. */
  log: (msg: string) => void;
  /** The rows already measured on this corpus (tsc, ESLint, the full scan), for reference. */
  rows: readonly ToolRow[];
};

export async function measureWarmPushScan(
  _corpus: PreparedCorpus,
  _ctx: WarmPushContext,
): Promise<ToolRow | undefined> {
  return undefined;
}
