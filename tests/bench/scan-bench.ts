/**
 * Scan benchmark: selfreview's full scan against the native TypeScript compiler and ESLint on the
 * pinned npm corpora of docs/anchors.md (rxjs, zod, effect), one tool after another, each as a child
 * process, measuring wall time and the peak memory of the process tree (see ./measure.ts).
 *
 *   node --conditions=source --import tsx tests/bench/scan-bench.ts [--corpus rxjs|zod|effect ...] [--runs N]
 *        [--tool tsc|eslint|selfreview|warm-push ...] [--timeout SECONDS] [--cache-dir DIR] [--json FILE]
 *
 * Downloads, extracted packages and the corpus repositories are cached in `.cache/bench/` at the
 * repository root; the markdown tables go to stdout, progress to stderr, and the results to
 * `.cache/bench/results-<date>.json` (and to FILE as well with `--json FILE`). A tool that fails
 * (or is not written yet) becomes a failed row; the benchmark goes on.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CORPORA, CORPUS_NAMES, type CorpusName, type PreparedCorpus, prepareCorpus } from './corpora.ts';
import { assertProcSupported, idleShare, killRunningChildren, measureProcess } from './measure.ts';
import {
  type CorpusResult,
  failedRow,
  machineFacts,
  type RunRecord,
  ratios,
  renderCorpus,
  renderMachine,
  runRecord,
  summarizeRuns,
  type ToolRow,
  targets,
} from './report.ts';
import { REPO_ROOT, setUpTools, TOOL_IDS, type Tool, type ToolId } from './tools.ts';
import { measureWarmPushScan } from './warm-push.ts';

const WARM_PUSH = 'warm-push';
const SELECTABLE = [...TOOL_IDS, WARM_PUSH] as const;
type Selectable = (typeof SELECTABLE)[number];

type Options = {
  corpora: CorpusName[];
  runs: number;
  tools: Selectable[];
  timeoutMs: number;
  cacheDir: string;
  /** --json: a second copy of the results file, where the caller wants it. */
  jsonFile?: string;
};

const USAGE = `usage: node --conditions=source --import tsx tests/bench/scan-bench.ts [--corpus ${CORPUS_NAMES.join('|')} ...] [--runs N]
       [--tool ${SELECTABLE.join('|')} ...] [--timeout SECONDS] [--cache-dir DIR] [--json FILE]`;

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      corpus: { type: 'string', multiple: true },
      runs: { type: 'string', default: '1' },
      tool: { type: 'string', multiple: true },
      timeout: { type: 'string', default: '600' },
      'cache-dir': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

function parseOptions(argv: string[]): Options {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (err) {
    // Unknown flags and missing values.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values } = parsed;
  if (values.help) throw new UsageError('');
  const corpora = (values.corpus ?? [...CORPUS_NAMES]).map((name) => {
    if (!(CORPUS_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown corpus ${name}`);
    return name as CorpusName;
  });
  const tools = (values.tool ?? [...SELECTABLE]).map((name) => {
    if (!(SELECTABLE as readonly string[]).includes(name)) throw new UsageError(`unknown tool ${name}`);
    return name as Selectable;
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError('--runs takes a whole number ≥ 1');
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError('--timeout takes a number of seconds > 0');
  if (values.json === '') throw new UsageError('--json takes a file name');
  return {
    corpora: [...new Set(corpora)],
    runs,
    tools: [...new Set(tools)],
    timeoutMs: timeout * 1000,
    cacheDir: path.resolve(values['cache-dir'] ?? path.join(REPO_ROOT, '.cache/bench')),
    ...(values.json !== undefined ? { jsonFile: path.resolve(values.json) } : {}),
  };
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function print(markdown: string): void {
  process.stdout.write(`${markdown}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  assertProcSupported();
  const started = new Date();
  const machine = machineFacts(started, await idleShare());
  const tools = await setUpTools(TOOL_IDS.filter((id) => options.tools.includes(id)));

  print(`# Scan benchmark\n\n${renderMachine(machine)}`);
  print(renderTools(tools, options));

  const results: CorpusResult[] = [];
  try {
    for (const name of options.corpora) {
      const result = await benchCorpus(name, tools, options);
      results.push(result);
      print(renderCorpus(result, options.runs));
    }
  } finally {
    await Promise.all(tools.map((tool) => tool.dispose()));
  }

  const file = path.join(
    options.cacheDir,
    `results-${started.toISOString().slice(0, 19).replace(/:/g, '-')}.json`,
  );
  await mkdir(options.cacheDir, { recursive: true });
  const json = {
    machine,
    finishedAt: new Date().toISOString(),
    options: { ...options, cacheDir: path.relative(REPO_ROOT, options.cacheDir) || '.' },
    tools: tools.map(({ id, label, version, notes, setupError }) => ({
      id,
      label,
      version,
      notes,
      setupError,
    })),
    corpora: results,
  };
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  if (options.jsonFile !== undefined) {
    await mkdir(path.dirname(options.jsonFile), { recursive: true });
    await writeFile(options.jsonFile, `${JSON.stringify(json, null, 2)}\n`);
  }
  const shown = path.relative(process.cwd(), file);
  print(`Results: ${shown.startsWith('..') ? file : shown}`);
}

async function benchCorpus(name: CorpusName, tools: Tool[], options: Options): Promise<CorpusResult> {
  const corpus = CORPORA.find((c) => c.name === name)!;
  let prepared: PreparedCorpus;
  try {
    prepared = await prepareCorpus(corpus, options.cacheDir, (msg) => log(`${name}: ${msg}`));
  } catch (err) {
    log(`${name}: corpus not prepared: ${String(err)}`);
    return { ...corpus, error: err instanceof Error ? err.message : String(err), rows: [], ratios: {} };
  }

  // Rounds interleave the tools, so drift over time (thermal, page cache) spreads over all of them.
  const runsByTool = new Map<ToolId, RunRecord[]>(tools.map((t) => [t.id, []]));
  for (let round = 1; round <= options.runs; round += 1) {
    for (const tool of tools) {
      if (tool.setupError !== undefined) continue;
      runsByTool.get(tool.id)!.push(await runTool(tool, prepared, options, round));
    }
  }
  const rows: ToolRow[] = tools.map((tool) =>
    tool.setupError !== undefined
      ? failedRow(tool.id, tool.label, `not set up: ${tool.setupError}`)
      : summarizeRuns(tool.id, tool.label, runsByTool.get(tool.id)!),
  );

  // ─── Extra rows: the warm-worker push scan (./warm-push.ts) ───────────────────────────────────
  if (options.tools.includes(WARM_PUSH)) {
    try {
      const row = await measureWarmPushScan(prepared, {
        timeoutMs: options.timeoutMs,
        runs: options.runs,
        log: (msg) => log(`${name}: warm push: ${msg}`),
        rows,
      });
      if (row !== undefined) rows.push(row);
    } catch (err) {
      killRunningChildren();
      rows.push(failedRow(WARM_PUSH, 'selfreview push scan (warm worker)', String(err)));
    }
  }

  const r = ratios(rows);
  return {
    name: prepared.name,
    version: prepared.version,
    repo: path.relative(REPO_ROOT, prepared.repo),
    stats: prepared.stats,
    rows,
    ratios: r,
    ...(name === 'effect' ? { targets: targets(rows, r) } : {}),
  };
}

async function runTool(
  tool: Tool,
  corpus: PreparedCorpus,
  options: Options,
  round: number,
): Promise<RunRecord> {
  const suffix = options.runs > 1 ? ` (run ${round}/${options.runs})` : '';
  log(`${corpus.name}: ${tool.label}${suffix}`);
  let record: RunRecord;
  try {
    const { command, args, env } = tool.command(corpus.repo);
    const measurement = await measureProcess(command, args, {
      cwd: corpus.repo,
      ...(env !== undefined ? { env } : {}),
      timeoutMs: options.timeoutMs,
    });
    record = runRecord(measurement, tool.interpret(measurement));
  } catch (err) {
    // The process could not be started: a failed run, not a failed benchmark.
    record = notStarted(err instanceof Error ? err.message : String(err));
  }
  const seconds = (record.wallMs / 1000).toFixed(2);
  log(
    `${corpus.name}: ${tool.label}: ${seconds} s, ${record.ok ? `${record.findings} findings` : `failed: ${record.error?.split('\n')[0]}`}`,
  );
  return record;
}

function notStarted(error: string): RunRecord {
  return {
    ok: false,
    error,
    exitCode: null,
    signal: null,
    timedOut: false,
    wallMs: 0,
    peakTreeRssBytes: 0,
    sumPeakHwmBytes: 0,
    cpuMs: 0,
    processesSeen: 0,
    samples: 0,
  };
}

function renderTools(tools: Tool[], options: Options): string {
  const lines = ['## Tools', ''];
  for (const tool of tools) {
    lines.push(`- ${tool.label}${tool.setupError !== undefined ? ` — not set up: ${tool.setupError}` : ''}`);
    for (const note of tool.notes) lines.push(`  - ${note}`);
  }
  lines.push(
    '',
    `Each tool runs ${options.runs === 1 ? 'once' : `${options.runs} times (median time, largest memory)`} per corpus as a child process in the corpus repository, one at a time. ` +
      'CPU: user + system time of the process and its descendants. ' +
      'Peak RSS, tree: the largest sum of VmRSS over the process and its descendants, sampled every 20 ms. ' +
      'Σ VmHWM: the kernel-recorded peak of each process, summed. MB = 2^20 bytes.',
    '',
  );
  return lines.join('\n');
}

function onSignal(signal: NodeJS.Signals): void {
  killRunningChildren();
  log(`${signal}: children killed`);
  process.exit(130);
}

process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main().catch((err: unknown) => {
  killRunningChildren();
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message ? `${err.message}\n` : ''}${USAGE}\n`);
    process.exitCode = err.message ? 2 : 0;
    return;
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
