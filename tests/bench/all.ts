/**
 * `pnpm bench`: every benchmark of issue 16, one after another, and one table.
 *
 *   node --conditions=source --import tsx tests/bench/all.ts [--only scan,apply,verify,fix,webhook] [--quick]
 *
 * Each piece runs as its own child process with `--json FILE`, never two at once (they would
 * disturb each other), each bounded in time (killed with its process group past its limit). A
 * piece that fails, times out or writes no JSON becomes a failed row; the rest goes on. The
 * pieces' own progress goes to stderr as they run, their own tables to
 * `.cache/bench/all-<date>/<piece>.md`, their JSON beside them.
 *
 * The pieces, in order (corpora: ./corpora.ts, pinned npm packages as git repositories):
 * - scan: ./scan-bench.ts on rxjs, zod and effect: native tsc, ESLint, the full scan, the warm
 *   push scan (--quick: rxjs).
 * - apply: ./apply-bench.ts on the zod and effect repositories (--quick: rxjs).
 * - verify: ./verify-bench.ts, a batch's typecheck after a one-file edit (an unused import removed,
 *   VERIFY_FILE), full vs incremental, on effect with 3 runs (--quick: rxjs, 1 run).
 * - fix: ./fix-bench.ts twice: `selfreview run` on the bundled example, then on a clone of the
 *   rxjs repository (the smallest corpus) with problems planted in 10 files (`--inject 10`: rxjs
 *   alone has no finding a codemod fixes), fix-stage seconds per batch from the run report.
 * - webhook: ./webhook-bench.ts, 200 signed pushes/s for 30 s (--quick: 5 s, not judged).
 *
 * Printed on stdout at the end: one markdown table (measure | value | peak memory | goal | met?),
 * the machine (CPUs, memory, Node, load average at the start and the end, dates) and the commit.
 * Everything (machine, each piece's outcome and JSON, the rows) goes to `.cache/bench/all-<date>.json`.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseOptions, USAGE, UsageError } from './all-options.ts';
import {
  type ApplyJson,
  applyRows,
  type FixJson,
  fixRows,
  type ScanJson,
  scanRows,
  type VerifyJson,
  verifyRows,
  type WebhookJson,
  webhookRows,
} from './all-rows.ts';
import {
  killRunningPiece,
  log,
  MINUTE,
  REPO_ROOT,
  runStep,
  type Step,
  type StepOutcome,
  stopOnSignals,
} from './all-step.ts';
import {
  failedRow,
  type Machine,
  type Row,
  renderMachine,
  renderPieces,
  renderTable,
  unmeasuredGoals,
} from './all-table.ts';
import { CORPORA, type CorpusName, prepareCorpus } from './corpora.ts';

const exec = promisify(execFile);
const CACHE_DIR = path.join(REPO_ROOT, '.cache/bench');
/**
 * The file verify-bench edits in each corpus: one with a named import to copy as an unused one
 * (rxjs has no unused import of its own for the benchmark to remove). Removing it leaves the
 * file's exports as they were: an edit no other file's types depend on.
 */
const VERIFY_FILE: Partial<Record<CorpusName, string>> = {
  rxjs: 'src/internal/operators/map.ts',
  effect: 'src/Cron.ts',
};

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const stamp = started.toISOString().slice(0, 19).replace(/:/g, '-');
  const outDir = path.join(CACHE_DIR, `all-${stamp}`);
  await mkdir(outDir, { recursive: true });
  const loadAverageStart = os.loadavg();
  const { commit, dirty } = await commitOf();
  log(
    `pieces ${options.only.join(', ')}${options.quick ? ' (quick)' : ''}; load average ${loadAverageStart.map((l) => l.toFixed(2)).join(' ')}; output in ${path.relative(REPO_ROOT, outDir)}`,
  );

  const corpora: CorpusName[] = options.quick ? ['rxjs'] : ['rxjs', 'zod', 'effect'];
  const repos = new Map<CorpusName, string>();
  const repoOf = async (name: CorpusName): Promise<string> => {
    const known = repos.get(name);
    if (known) return known;
    const corpus = CORPORA.find((c) => c.name === name)!;
    const prepared = await prepareCorpus(corpus, CACHE_DIR, (msg) => log(`${name}: ${msg}`));
    repos.set(name, prepared.repo);
    return prepared.repo;
  };
  const jsonOf = (name: string) => path.join(outDir, `${name}.json`);

  const rows: Row[] = [];
  const outcomes: StepOutcome[] = [];
  const run = async (step: Step, toRows: (json: unknown) => Row[]): Promise<void> => {
    const outcome = await runStep(step, jsonOf(step.name), path.join(outDir, `${step.name}.md`));
    outcomes.push(outcome);
    if (outcome.json === undefined) {
      rows.push(failedRow(step.name, outcome.error ?? 'no JSON'));
      return;
    }
    try {
      rows.push(...toRows(outcome.json));
    } catch (err) {
      rows.push(failedRow(step.name, `its JSON is not understood: ${String(err)}`));
    }
  };
  /** A step whose set-up (a corpus repository) failed: a failed row, no child. */
  const notRun = (name: string, err: unknown) => {
    const error = `not started: ${err instanceof Error ? err.message : String(err)}`;
    log(`${name}: ${error}`);
    outcomes.push({
      name,
      ok: false,
      wallMs: 0,
      error,
      args: [],
      exitCode: null,
      signal: null,
      timedOut: false,
    });
    rows.push(failedRow(name, error));
  };

  for (const piece of options.only) {
    if (piece === 'scan') {
      await run(
        {
          piece,
          name: 'scan',
          script: 'scan-bench.ts',
          args: [...corpora.flatMap((c) => ['--corpus', c]), '--timeout', '900', '--json', jsonOf('scan')],
          limitMs: (options.quick ? 30 : 120) * MINUTE,
        },
        (json) => scanRows(json as ScanJson),
      );
    } else if (piece === 'apply') {
      const names: CorpusName[] = options.quick ? ['rxjs'] : ['zod', 'effect'];
      let paths: string[];
      try {
        paths = [];
        for (const n of names) paths.push(await repoOf(n));
      } catch (err) {
        notRun('apply', err);
        continue;
      }
      await run(
        {
          piece,
          name: 'apply',
          script: 'apply-bench.ts',
          args: [...paths, '--json', jsonOf('apply')],
          limitMs: (options.quick ? 20 : 60) * MINUTE,
        },
        (json) => applyRows(json as ApplyJson),
      );
    } else if (piece === 'verify') {
      const name: CorpusName = options.quick ? 'rxjs' : 'effect';
      let repo: string;
      try {
        repo = await repoOf(name);
      } catch (err) {
        notRun('verify', err);
        continue;
      }
      await run(
        {
          piece,
          name: 'verify',
          script: 'verify-bench.ts',
          args: [
            '--repo',
            repo,
            '--project',
            'tsconfig.json',
            ...(VERIFY_FILE[name] ? ['--file', VERIFY_FILE[name]] : []),
            '--runs',
            options.quick ? '1' : '3',
            '--json',
            jsonOf('verify'),
          ],
          limitMs: (options.quick ? 20 : 60) * MINUTE,
        },
        (json) => [verifyRows(json as VerifyJson, name)],
      );
    } else if (piece === 'fix') {
      const minutes = options.quick ? 10 : 20;
      await run(
        {
          piece,
          name: 'fix-example',
          script: 'fix-bench.ts',
          args: ['--timeout', String(minutes), '--json', jsonOf('fix-example')],
          limitMs: (minutes + 5) * MINUTE,
        },
        (json) => [fixRows(json as FixJson)],
      );
      let repo: string;
      try {
        repo = await repoOf('rxjs');
      } catch (err) {
        notRun('fix-rxjs', err);
        continue;
      }
      await run(
        {
          piece,
          name: 'fix-rxjs',
          script: 'fix-bench.ts',
          args: [repo, '--inject', '10', '--timeout', String(minutes), '--json', jsonOf('fix-rxjs')],
          limitMs: (minutes + 5) * MINUTE,
        },
        (json) => [fixRows(json as FixJson)],
      );
    } else {
      const duration = options.quick ? 5 : 30;
      await run(
        {
          piece,
          name: 'webhook',
          script: 'webhook-bench.ts',
          args: ['--rate', '200', '--duration', String(duration), '--json', jsonOf('webhook')],
          limitMs: duration * 1000 + 6 * MINUTE,
        },
        (json) => [webhookRows(json as WebhookJson)],
      );
    }
  }

  rows.push(...unmeasuredGoals(rows));
  const finished = new Date();
  const cpus = os.cpus();
  const machine: Machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageStart,
    loadAverageEnd: os.loadavg(),
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    commit,
    dirty,
  };
  const file = path.join(CACHE_DIR, `all-${stamp}.json`);
  await writeFile(file, `${JSON.stringify({ machine, options, pieces: outcomes, rows }, null, 2)}\n`);
  process.stdout.write(
    [
      `# selfreview benchmark${options.quick ? ' (--quick: rxjs only, a 5 s webhook run; not the goals’ conditions)' : ''}`,
      '',
      renderTable(rows),
      '',
      renderMachine(machine),
      renderPieces(outcomes),
      `- JSON: ${path.relative(process.cwd(), file)}; each piece's own output: ${path.relative(process.cwd(), outDir)}/`,
      '',
    ].join('\n'),
  );
}

async function commitOf(): Promise<{ commit: string; dirty: boolean }> {
  try {
    const { stdout: sha } = await exec('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT });
    const { stdout: status } = await exec('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { commit: sha.trim(), dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown (not a git checkout)', dirty: false };
  }
}

stopOnSignals();

main().catch((err: unknown) => {
  killRunningPiece();
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message ? `${err.message}\n` : ''}${USAGE}\n`);
    process.exitCode = err.message ? 2 : 0;
    return;
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
