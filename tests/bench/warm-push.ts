/**
 * The "push scan on a warm worker" row.
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
import { execFile } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pushScan, scanSettingsFrom, WarmCache } from '@selfreview/scan';
import { defaultRepoConfig } from '@selfreview/shared/config';
import { Repository } from '@selfreview/shared/workspace';
import type { PreparedCorpus } from './corpora.ts';
import type { ToolRow } from './report.ts';

const exec = promisify(execFile);
const PUSHES = 5;
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

/**
 * A scan worker's warm path, in this process: a clone of the corpus, one cold push scan
 * (the worker's first), then PUSHES commits that each change one mid-sized file, each
 * followed by a push scan of that file. The row's time is the median warm push.
 */
export async function measureWarmPushScan(
  corpus: PreparedCorpus,
  ctx: WarmPushContext,
): Promise<ToolRow | undefined> {
  const clone = path.join(os.tmpdir(), `selfreview-bench-push-${corpus.name}-${process.pid}`);
  await rm(clone, { recursive: true, force: true });
  await exec('git', ['clone', '-q', corpus.repo, clone]);
  const cache = new WarmCache(1);
  try {
    const { stdout } = await exec('git', ['-C', clone, 'ls-files', '-z', 'src']);
    const files = stdout.split('\0').filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'));
    const sized = await Promise.all(
      files.map(async (f) => ({ f, size: (await stat(path.join(clone, f))).size })),
    );
    sized.sort((a, b) => a.size - b.size || (a.f < b.f ? -1 : 1));
    const target = sized[Math.floor(sized.length / 2)]?.f;
    if (!target) return undefined;
    const repo = await Repository.open(clone);
    const settings = scanSettingsFrom(defaultRepoConfig());
    const rssBefore = process.memoryUsage().rss;
    let sha = (await repo.head()).sha;
    const coldStart = performance.now();
    await pushScan(cache, repo, sha, [target], settings);
    const coldMs = performance.now() - coldStart;
    ctx.log(`${corpus.name}: warm push: cold ${coldMs.toFixed(0)} ms on ${target}`);
    const warm: number[] = [];
    let findings = 0;
    for (let i = 0; i < PUSHES * ctx.runs; i++) {
      const file = path.join(clone, target);
      await writeFile(file, `${await readFile(file, 'utf8')}\nconst benchTouch${i} = ${i};\n`);
      await exec('git', [
        '-C',
        clone,
        '-c',
        'user.name=bench',
        '-c',
        'user.email=bench@localhost',
        'commit',
        '-qam',
        `touch ${i}`,
      ]);
      sha = (await repo.head()).sha;
      const started = performance.now();
      const outcome = await pushScan(cache, repo, sha, [target], settings);
      warm.push(performance.now() - started);
      findings = outcome.candidates.length;
    }
    const sorted = [...warm].sort((a, b) => a - b);
    const lines = (await readFile(path.join(clone, target), 'utf8')).split('\n').length;
    return {
      id: 'warm-push',
      label: 'selfreview push scan, 1 file, warm',
      ok: true,
      wallMs: sorted[Math.floor(sorted.length / 2)] as number,
      findings,
      details: {
        file: target,
        lines,
        coldMs: Math.round(coldMs),
        warmMs: warm.map((ms) => Math.round(ms)),
        maxWarmMs: Math.round(sorted[sorted.length - 1] ?? 0),
        workerRssGrowthMb: Math.round((process.memoryUsage().rss - rssBefore) / 1e6),
      },
      runs: [],
    };
  } finally {
    cache.clear();
    await rm(clone, { recursive: true, force: true });
  }
}
