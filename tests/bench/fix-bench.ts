/**
 * Fix time per batch (issue 16 item 6): the whole pipeline, `selfreview run [PATH] --report FILE`
 * of the built CLI (packages/cli/dist, built first as ./tools.ts does), as a child process, and
 * the fix stage's wall time divided by its batches, from the run report.
 *
 *   node --conditions=source --import tsx tests/bench/fix-bench.ts [PATH] [--timeout MINUTES] [--json FILE]
 *
 * - No PATH: the bundled example (the CLI copies it to a temporary folder itself).
 * - PATH: a git repository, e.g. a corpus repository of ./corpora.ts (.cache/bench/repos/rxjs).
 *   It is only read: the run works on a copy of it in a temporary folder (`pnpm eval:real`'s: a
 *   clone with the source's installed node_modules linked and its submodules filled from its
 *   .git/modules; fix commits its branches there), removed at the end.
 * - `--inject N` (with PATH): first N source files get known problems (unused imports, locals and
 *   parameters, as `pnpm eval:real` plants them, `--seed S`, default 1), committed in the clone as
 *   its base: the corpora have too few findings a codemod fixes to time a batch on real code.
 * - Redis: a private redis-server of its own (REDIS_URL for the run), so a Redis on
 *   localhost:6379 is never used; it is not part of the measured process tree.
 * - `--logs DIR`: the workers' logs of the run are copied to DIR before its folder is removed
 *   (each fix batch logs the time of its steps there: 'batch step times').
 * - `--timeout MINUTES` (default 20) goes to `selfreview run --timeout`, which then stops and still
 *   writes a report of what it did; the child is killed 2 minutes after that.
 *
 * "Fix time per batch": the report's stages.fix.durationMs (first fix job's start to the last's end)
 * ÷ stages.fix.batches; with several batches at once (SELFREVIEW_FIX_CONCURRENCY) that is the
 * time a batch costs in the run, not one batch's own duration. Peak memory: the run's process tree
 * (the CLI and the workers it starts), see ./measure.ts. A markdown table goes to stdout, progress
 * to stderr, and with `--json FILE` the numbers to FILE.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startPrivateRedis } from '@selfreview/shared/redis-server';
import { BUILT_CLI, build } from '../helpers/build.ts';
import { commitAll } from '../real-eval/git.ts';
import { readRepoConfig, readSources } from '../real-eval/harness.ts';
import { applyInjections, planInjections } from '../real-eval/planner.ts';
import { copyRepository } from '../real-eval/repo-copy.ts';
import type { FixJson } from './all-rows.ts';
import { fixSecondsPerBatch } from './all-rows.ts';
import { killRunningChildren, measureProcess } from './measure.ts';

const USAGE =
  'usage: node --conditions=source --import tsx tests/bench/fix-bench.ts [PATH [--inject N] [--seed S]] [--timeout MINUTES] [--json FILE] [--logs DIR]';

/** The workers' logs of the run (each batch's 'batch step times' among them), kept in `to`. */
async function keepLogs(dataDir: string, to: string): Promise<void> {
  await cp(dataDir, to, {
    recursive: true,
    filter: async (src) => src.endsWith('.log') || (await stat(src)).isDirectory(),
  }).catch((err: Error) => log(`could not keep the logs: ${err.message}`));
  log(`workers' logs kept in ${to}`);
}

function log(msg: string): void {
  process.stderr.write(`[fix-bench] ${msg}\n`);
}

type ReportShape = {
  stages: {
    scan: { files: number; candidates: number; durationMs: number };
    apply: { fix: number; drop: number; defer: number; durationMs: number };
    fix: { batches: number; committed: number; failed: number; carriedOver: number; durationMs: number };
  };
  fixes: { batchId: string; file: string; status: string; reason: string }[];
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: {
      timeout: { type: 'string', default: '20' },
      inject: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      json: { type: 'string' },
      logs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  const minutes = Number(values.timeout);
  const inject = Number(values.inject);
  const seed = Number(values.seed);
  const badInjection =
    !Number.isInteger(inject) ||
    inject < 0 ||
    !Number.isInteger(seed) ||
    (inject > 0 && positionals.length === 0);
  if (values.help || positionals.length > 1 || !(minutes > 0) || badInjection) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const source = positionals[0] !== undefined ? path.resolve(positionals[0]) : undefined;
  const label =
    source === undefined
      ? 'bundled example'
      : `${path.basename(source)}${inject > 0 ? `, ${inject} files with planted problems` : ''}`;

  try {
    await build();
  } catch (err) {
    // Others may be editing the sources: the last build is still a CLI to measure.
    if (!existsSync(BUILT_CLI)) throw err;
    log(`pnpm build failed, measuring the existing ${BUILT_CLI}: ${String(err).split('\n')[0]}`);
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-fix-bench-'));
  const redis = await startPrivateRedis();
  cleanUp = async () => {
    await redis.stop();
    if (values.logs !== undefined) await keepLogs(path.join(dir, 'data'), path.resolve(values.logs));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    let target: string | undefined;
    if (source !== undefined) {
      // A clone with the source's installed dependencies linked and its submodules filled from
      // its own .git/modules, as `pnpm eval:real` makes it: the run's checks need both.
      log(`copying ${source} into ${dir}`);
      const copy = await copyRepository(source, dir);
      target = copy.root;
      for (const warning of copy.warnings) log(`warning: ${warning}`);
      if (inject > 0) log(`planted ${await plantProblems(target, inject, seed)} problems`);
    }
    const reportFile = path.join(dir, 'report.json');
    const args = [
      BUILT_CLI,
      'run',
      ...(target ? [target] : []),
      '--report',
      reportFile,
      '--timeout',
      String(minutes),
    ];
    log(`selfreview run ${target ? label : '(bundled example)'}, --timeout ${minutes} min`);
    const run = await measureProcess(process.execPath, args, {
      cwd: dir,
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        SELFREVIEW_PREFIX: `fb-${randomBytes(4).toString('hex')}`,
        SELFREVIEW_DATA_DIR: path.join(dir, 'data'),
      },
      timeoutMs: (minutes + 2) * 60_000,
    });
    log(`run ended after ${(run.wallMs / 1000).toFixed(1)} s with exit ${run.exitCode ?? run.signal}`);
    let report: ReportShape | undefined;
    try {
      report = JSON.parse(await readFile(reportFile, 'utf8')) as ReportShape;
    } catch {
      report = undefined;
    }
    const result: FixJson = {
      label,
      exitCode: run.exitCode,
      timedOut: run.timedOut,
      wallMs: run.wallMs,
      peakTreeRssBytes: run.peakTreeRssBytes,
      sumPeakHwmBytes: run.sumPeakHwmBytes,
      ...(report
        ? {
            report: {
              files: report.stages.scan.files,
              candidates: report.stages.scan.candidates,
              batches: report.stages.fix.batches,
              committed: report.stages.fix.committed,
              failed: report.stages.fix.failed,
              carriedOver: report.stages.fix.carriedOver,
              fixMs: report.stages.fix.durationMs,
            },
          }
        : { error: `no report; exit ${run.exitCode ?? run.signal}: ${tail(run.stderr || run.stdout)}` }),
    };
    process.stdout.write(`${render(result, report)}\n`);
    if (values.json) {
      const out = path.resolve(values.json);
      await mkdir(path.dirname(out), { recursive: true });
      await writeFile(
        out,
        `${JSON.stringify(
          {
            date: new Date().toISOString(),
            source: source ?? null,
            ...result,
            stages: report?.stages,
            // What became of each file: a batch carried over or failed says why here.
            fixes: report?.fixes.map(({ batchId, file, status, reason }) => ({
              batchId,
              file,
              status,
              reason,
            })),
          },
          null,
          2,
        )}\n`,
      );
      log(`results written to ${out}`);
    }
    if (!report) process.exitCode = 1;
  } finally {
    await cleanUp();
    cleanUp = async () => {};
  }
}

/** Plants problems in `files` source files of the clone and commits them as its new base. */
async function plantProblems(root: string, files: number, seed: number): Promise<number> {
  const { sources, eligible, packageRoots } = await readSources(root, await readRepoConfig(root));
  const plan = planInjections({ sources, eligible, packageRoots, seed, files });
  const byFile = new Map<string, typeof plan.injections>();
  for (const injection of plan.injections)
    byFile.set(injection.file, [...(byFile.get(injection.file) ?? []), injection]);
  let planted = 0;
  for (const [file, injections] of byFile) {
    const original = sources.find((s) => s.path === file)?.text ?? '';
    const { text, entries } = applyInjections(original, injections);
    await writeFile(path.join(root, file), text);
    planted += entries.length;
  }
  await commitAll(root, `fix-bench: ${planted} planted problems (seed ${seed})`);
  return planted;
}

/** Stops the private Redis and removes the temporary folder; set once they exist. */
let cleanUp: () => Promise<void> = async () => {};

function render(result: FixJson, report: ReportShape | undefined): string {
  const s = (msValue: number) => (msValue / 1000).toFixed(2);
  if (!report) return `Fix benchmark, ${result.label}: ${result.error}`;
  const st = report.stages;
  const perBatch = fixSecondsPerBatch(st.fix);
  return [
    `| ${result.label} | |`,
    '| --- | ---: |',
    `| files, candidates | ${st.scan.files}, ${st.scan.candidates} |`,
    `| verdicts fix / drop / defer | ${st.apply.fix} / ${st.apply.drop} / ${st.apply.defer} |`,
    `| stage wall time scan / apply / fix (s) | ${s(st.scan.durationMs)} / ${s(st.apply.durationMs)} / ${s(st.fix.durationMs)} |`,
    `| batches; files committed / failed / carried over | ${st.fix.batches}; ${st.fix.committed} / ${st.fix.failed} / ${st.fix.carriedOver} |`,
    `| fix time per batch (s) | ${perBatch === undefined ? 'no batch' : perBatch.toFixed(2)} |`,
    `| whole run (s), exit | ${s(result.wallMs)}, ${result.exitCode}${result.timedOut ? ' (killed: timed out)' : ''} |`,
    `| peak RSS of the run's process tree, sampled / Σ VmHWM (MB) | ${Math.round(result.peakTreeRssBytes / 2 ** 20)} / ${Math.round(result.sumPeakHwmBytes / 2 ** 20)} |`,
  ].join('\n');
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ').slice(0, 400);
}

function onSignal(signal: NodeJS.Signals): void {
  killRunningChildren();
  log(`${signal}: children killed, cleaning up`);
  const bounded = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
  void Promise.race([cleanUp().catch(() => undefined), bounded]).finally(() => process.exit(130));
}
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main().catch((err: unknown) => {
  killRunningChildren();
  process.stderr.write(`fix-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
