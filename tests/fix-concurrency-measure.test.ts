/**
 * How long a real fix worker takes to fix N batches of one repository with fix.concurrency 1
 * and 2 (SELFREVIEW_FIX_CONCURRENCY the same), and that both commit every batch once on its own
 * branch. It prints the times and asserts none (times belong to no test): in the suite it runs
 * one round; `SELFREVIEW_MEASURE_ROUNDS=6 pnpm vitest run tests/fix-concurrency-measure.test.ts`
 * for a measurement.
 * The repository is tests/helpers/fix-batches.ts's severalBatchesRepo (one unused import in each
 * of six files), one batch per file; each configuration gets a fresh repository and data folder
 * (cold: the base diagnostics are not cached yet), then a second set of batches on the same
 * commit (warm: they are). Time is from queueing the batches to the run's last fix job closing,
 * the worker already started. Rounds alternate between the settings, so a machine busy with
 * other work weighs on both.
 */
import { RunLifecycle } from '@selfreview/shared/coordinator';
import { RunStore } from '@selfreview/shared/runs';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { FIX_FILES, severalBatchesRepo } from './helpers/fix-batches.ts';
import { branches, queueFixRun, startFixWorker, until, workerTestBed } from './helpers/fix-worker.ts';
import { makeRepo, tempDir } from './helpers/git.ts';
import { testRedisUrl, uniquePrefix } from './helpers/redis.ts';

const ROUNDS = Number(process.env.SELFREVIEW_MEASURE_ROUNDS ?? 1);

describe('fix batches of one repository: time with fix.concurrency 1 and 2', () => {
  const { redis, prefixes, dirs, workers, queues, cleanUp } = workerTestBed();
  afterAll(cleanUp);

  /** Seconds to fix one batch per file, cold then warm, with `concurrency`. */
  async function measure(concurrency: number, round: number): Promise<{ cold: number; warm: number }> {
    const src = severalBatchesRepo();
    src['selfreview.config.json'] = JSON.stringify({ fix: { concurrency } });
    const repo = await makeRepo(src);
    const dataDir = await tempDir();
    dirs.push(repo, dataDir);
    const prefix = uniquePrefix(`measure-${concurrency}`);
    prefixes.push(prefix);
    const runs = new RunStore(redis, prefix);
    const lifecycle = new RunLifecycle(redis, prefix);
    const queue = new Queue('fix', { connection: redis, prefix });
    queues.push(queue);
    const worker = startFixWorker({
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_FIX_CONCURRENCY: String(concurrency),
      ...(process.env.SELFREVIEW_SANDBOX ? { SELFREVIEW_SANDBOX: process.env.SELFREVIEW_SANDBOX } : {}),
    });
    workers.push(worker);
    await until('the worker to start', () => worker.output().includes('worker ready'), 60_000);
    const seconds: number[] = [];
    for (const pass of ['cold', 'warm']) {
      const runId = `run-${concurrency}-${round}-${pass}`;
      const started = Date.now();
      await queueFixRun({
        redis,
        prefix,
        queue,
        repo,
        runId,
        sources: src,
        batches: FIX_FILES.map((file) => [file]),
      });
      await until('the run to drain', async () => (await lifecycle.progress(runId)).open.fix === 0, 600_000);
      seconds.push((Date.now() - started) / 1000);
      const results = await runs.fixResults(runId);
      expect(results.filter((r) => r.status === 'committed')).toHaveLength(FIX_FILES.length);
    }
    expect((await branches(repo)).map((b) => b.commits)).toEqual(Array(2 * FIX_FILES.length).fill(1));
    worker.child.kill('SIGTERM');
    await worker.exited;
    return { cold: seconds[0] as number, warm: seconds[1] as number };
  }

  it(`fixes ${FIX_FILES.length} one-file batches, ${ROUNDS} rounds per setting`, async () => {
    const lines: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const concurrency of round % 2 ? [1, 2] : [2, 1]) {
        const t = await measure(concurrency, round);
        lines.push(
          `round ${round} fix.concurrency ${concurrency}: cold ${t.cold.toFixed(1)} s, warm ${t.warm.toFixed(1)} s`,
        );
        console.log(lines.at(-1));
      }
    }
    console.log(lines.join('\n'));
  }, 3_600_000);
});
