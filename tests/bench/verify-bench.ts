/**
 * Fix verification benchmark (issue 16 item 4): a batch's typecheck after a one-file edit, in
 * full (the check as it ran before, `tsc --noEmit -p <project>`) against incremental (the
 * fix worker's `Verifier.typecheck`, starting from the base commit's cached `.tsbuildinfo`).
 * Both run as the fix worker runs them: the repository's own TypeScript, in the sandbox, in a
 * tree made like a batch's worktree (dependencies linked by `prepareWorktree`).
 *
 *   node --import tsx tests/bench/verify-bench.ts --repo DIR --project TSCONFIG [--file FILE]
 *        [--runs N] [--keep] [--json FILE]
 *
 * The edit is what fix does: the first unused import or local that scan finds in `--file`
 * (default: the first in the project's folder), removed by its codemod. A file with none gets
 * one first, in a commit of the benchmark's own clone that becomes the base: a second import of
 * the first name of its first named import, as `selfreviewBenchUnused`.
 *
 * The repository is only read: the trees are `git clone --shared` copies in a temporary folder
 * (removed unless --keep), with its installed node_modules linked. Full and incremental runs
 * alternate; each is a new batch (a new Verifier on the same cache). Each is timed in wall
 * time and in CPU time (user + system of everything it ran, from /proc: less sensitive to
 * other work on a shared machine), and its peak memory: the largest sum of the RSS of the processes
 * it ran, sampled with the CPU time (this process's own is not counted). Progress goes to stderr,
 * one markdown table to stdout; `--json FILE` writes the timings and the verdict to FILE.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { getCheck } from '@selfreview/checks';
import { analyzeFile } from '@selfreview/scan/analyze';
import { defaultRepoConfig } from '@selfreview/shared/config';
import { activeSandbox } from '@selfreview/shared/sandbox';
import type { FixItem } from '@selfreview/shared/schemas';
import { Repository, type Worktree } from '@selfreview/shared/workspace';
import { type Diagnostic, newDiagnostics } from '../../services/fix/src/typecheck-output.ts';
import { Verifier } from '../../services/fix/src/verification.ts';
import { compilerMounts, runTypecheck } from '../../services/fix/src/verify.ts';
import { packageFolders, prepareWorktree } from '../../services/fix/src/worktree-setup.ts';

const exec = promisify(execFile);
const RULES = ['unused-import', 'unused-local'];
/** The name of the unused import the benchmark adds to a file that has none. */
const SYNTHETIC = 'selfreviewBenchUnused';

/**
 * `text` with a second, unused import of the first name its first named import brings in
 * (`import { a as selfreviewBenchUnused } from "m";` after it), or null without one.
 */
function withUnusedImport(text: string): string | null {
  const m = /^import\s+(type\s+)?\{\s*([A-Za-z_$][\w$]*)[^}]*\}\s*from\s*(['"][^'"\n]+['"]);?[^\n]*\n/m.exec(
    text,
  );
  if (!m) return null;
  const [line, type = '', name, from] = m as unknown as [string, string | undefined, string, string];
  const at = m.index + line.length;
  return `${text.slice(0, at)}import ${type}{ ${name} as ${SYNTHETIC} } from ${from};\n${text.slice(at)}`;
}
/** The goal: incremental at most this share of full. */
const GOAL = 0.25;

const USAGE =
  'usage: node --import tsx tests/bench/verify-bench.ts --repo DIR --project TSCONFIG [--file FILE] [--runs N] [--keep] [--json FILE]';

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

type Timing = { wallMs: number; cpuMs: number; peakRssBytes: number };

function describe(t: Timing): string {
  return `${seconds(t.wallMs)} / ${seconds(t.cpuMs)}`;
}

/** /proc/<pid>/stat counts CPU time in USER_HZ ticks, 100 per second on Linux. */
const TICK_MS = 10;
/** /proc/<pid>/stat counts resident memory in pages. */
const PAGE_BYTES = pageSize();

function pageSize(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
}

type ProcSample = { pid: number; ticks: number; rssBytes: number };

/**
 * This process's descendants by pid with their user + system ticks and resident memory, from the
 * parent pid in every /proc/<pid>/stat. (The children's times of /proc/self/stat would not do:
 * bwrap's outer process never waits for the sandbox's, so those never reach it.)
 */
function descendantTicks(): Map<number, ProcSample> {
  const byParent = new Map<number, ProcSample[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while /proc was listed
    }
    // Fields counted from the last ')': the command name may hold anything.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    const list = byParent.get(parent) ?? [];
    // utime, stime and rss are fields 14, 15 and 24 of proc(5).
    list.push({
      pid: Number(entry),
      ticks: Number(fields[11]) + Number(fields[12]),
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    });
    byParent.set(parent, list);
  }
  const out = new Map<number, ProcSample>();
  const queue = [...(byParent.get(process.pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.pop() as ProcSample;
    out.set(p.pid, p);
    queue.push(...(byParent.get(p.pid) ?? []));
  }
  return out;
}

/**
 * `fn`'s wall time, and the CPU time (user + system) and largest summed RSS of the processes it
 * ran, sampled every 20 ms: a process's last ~20 ms, and one that lives less, are missed. Its own
 * work in this process is not counted.
 */
async function timed<T>(fn: () => Promise<T>): Promise<Timing & { value: T }> {
  const before = new Map([...descendantTicks()].map(([pid, p]) => [pid, p.ticks]));
  const last = new Map<number, number>();
  let peakRssBytes = 0;
  const sample = () => {
    let rss = 0;
    for (const [pid, p] of descendantTicks()) {
      last.set(pid, Math.max(last.get(pid) ?? 0, p.ticks));
      rss += p.rssBytes;
    }
    peakRssBytes = Math.max(peakRssBytes, rss);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  try {
    const value = await fn();
    const wallMs = performance.now() - started;
    let ticks = 0;
    for (const [pid, t] of last) ticks += t - (before.get(pid) ?? 0);
    return { value, wallMs, cpuMs: ticks * TICK_MS, peakRssBytes };
  } finally {
    clearInterval(sampler);
  }
}

/** The first fix item scan finds for `file` with RULES, or null. */
function firstItem(file: string, text: string): FixItem | null {
  const [candidate] = analyzeFile(file, text, { rules: RULES }).candidates;
  if (!candidate) return null;
  const codemod = getCheck(candidate.rule).fix.codemod;
  if (!codemod) return null;
  return { candidate, changeType: codemod.changeType, confidence: 0.9 } as FixItem;
}

/** The text of `file` with `item` fixed by its codemod. */
function fixed(file: string, text: string, item: FixItem): string {
  const codemod = getCheck(item.candidate.rule).fix.codemod;
  const result = codemod?.apply({ file, text, items: [item] });
  if (result?.applied.length !== 1) throw new Error(`the codemod did not apply to ${file}`);
  return result.text;
}

/**
 * A clone of `source` sharing its objects, with its checked-out submodules cloned the same way
 * and each installed node_modules folder linked: what a batch's worktree is made from.
 */
async function cloneOf(source: string, dir: string): Promise<Repository> {
  await git(os.tmpdir(), 'clone', '--quiet', '--shared', '--no-checkout', source, dir);
  const head = await git(source, 'rev-parse', 'HEAD');
  await git(dir, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', head);
  const status = await git(source, 'submodule', 'status').catch(() => '');
  for (const line of status.split('\n')) {
    const m = /^ ([0-9a-f]{40}) (\S+)/.exec(line);
    if (!m) continue; // not checked out (-) or not at the pinned commit (+): left out, as fix would
    const [, sha, sub] = m as unknown as [string, string, string];
    await rm(path.join(dir, sub), { recursive: true, force: true });
    await git(
      dir,
      'clone',
      '--quiet',
      '--shared',
      '--no-checkout',
      path.join(source, sub),
      path.join(dir, sub),
    );
    await git(path.join(dir, sub), '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha);
  }
  // Where prepareWorktree looks for them: next to each tracked package.json.
  for (const folder of packageFolders((await git(dir, 'ls-files')).split('\n'))) {
    const installed = path.join(source, folder, 'node_modules');
    const link = path.join(dir, folder, 'node_modules');
    if (existsSync(installed) && !existsSync(link)) await symlink(installed, link, 'dir');
  }
  return Repository.open(dir);
}

type Options = {
  repo: string;
  project: string;
  file: string | null;
  runs: number;
  keep: boolean;
  json: string | null;
};

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      project: { type: 'string' },
      file: { type: 'string' },
      runs: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.repo || !values.project) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  return {
    repo: path.resolve(values.repo),
    project: values.project,
    file: values.file ?? null,
    runs,
    keep: values.keep,
    json: values.json ? path.resolve(values.json) : null,
  };
}

/** The file to edit and the edit, and the base commit (a commit of the clone when synthetic). */
async function chooseEdit(
  origin: Repository,
  opts: Options,
): Promise<{ file: string; before: string; after: string; sha: string; synthetic: boolean; what: string }> {
  let sha = await git(origin.root, 'rev-parse', 'HEAD');
  let file = opts.file;
  if (file === null) {
    const folder = path.posix.dirname(opts.project);
    const files = (await origin.listFiles(sha)).filter(
      (f) => (folder === '.' || f.startsWith(`${folder}/`)) && /\.[cm]?tsx?$/.test(f) && !f.endsWith('.d.ts'),
    );
    for (const f of files) {
      if (firstItem(f, (await origin.readFile(sha, f)) ?? '')) {
        file = f;
        break;
      }
    }
    if (file === null) throw new Error(`no unused import or local under ${folder}: name a file with --file`);
  }
  let before = await origin.readFile(sha, file);
  if (before === null) throw new Error(`${file} is not in the repository`);
  let item = firstItem(file, before);
  let synthetic = false;
  if (!item) {
    synthetic = true;
    const added = withUnusedImport(before);
    if (added === null) throw new Error(`${file} has no named import to copy as an unused one`);
    before = added;
    await writeFile(path.join(origin.root, file), before);
    await git(origin.root, 'add', '--', file);
    await git(
      origin.root,
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@localhost',
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      'bench: an unused import to remove',
    );
    sha = await git(origin.root, 'rev-parse', 'HEAD');
    item = firstItem(file, before);
    if (!item) throw new Error(`scan does not find the unused import added to ${file}`);
  }
  return { file, before, after: fixed(file, before, item), sha, synthetic, what: item.candidate.message };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const config = defaultRepoConfig().fix;
  const sandbox = await activeSandbox();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'selfreview-verify-bench-'));
  const cacheDir = path.join(scratch, 'verify-cache');
  const trees: Worktree[] = [];
  let origin: Repository | null = null;
  try {
    log(`cloning ${opts.repo} (shared objects) into ${scratch}`);
    origin = await cloneOf(opts.repo, path.join(scratch, 'origin'));
    const edit = await chooseEdit(origin, opts);
    log(`edit: ${edit.file}: ${edit.what}${edit.synthetic ? ' (added in a base commit of the clone)' : ''}`);

    // Batch trees at the same depth, as fix's worktrees are: the base's, then one per run.
    const newTree = async (name: string): Promise<Worktree> => {
      const wt = await (origin as Repository).addWorktree(
        path.join(scratch, 'worktrees', name),
        edit.sha,
        `selfreview/bench-${name}`,
      );
      await prepareWorktree(origin as Repository, wt, config.setup);
      trees.push(wt);
      return wt;
    };

    const baseTree = await newTree('base');
    const baseVerifier = new Verifier(baseTree, config, cacheDir);
    const check = baseVerifier.typecheckCommands([edit.file]);
    const [project, projectCheck] = [...check][0] as [string, { argv: string[]; buildInfo: string | null }];
    const tsc = projectCheck.argv[1] as string;
    const tsVersion = readTsVersion(tsc);
    log(`project ${project}, TypeScript ${tsVersion}, sandbox ${sandbox.mode}`);
    if (!projectCheck.buildInfo)
      log('this TypeScript is checked in full only: incremental runs are full too');
    const base = await timed(() => baseVerifier.baseline([edit.file]));
    if (baseVerifier.baseErrors.length > 0) throw new Error(baseVerifier.baseErrors.join('; '));
    log(`base run (seed, full check, writes the cached build info): ${describe(base)}`);

    const full: Timing[] = [];
    const incremental: Timing[] = [];
    const kinds: string[] = [];
    let sameVerdict = true;
    for (let i = 1; i <= opts.runs; i++) {
      const wt = await newTree(`run${i}`);
      await writeFile(path.join(wt.dir, edit.file), edit.after);
      const verifier = new Verifier(wt, config, cacheDir);
      await verifier.baseline([edit.file]);
      // The check as it ran before: this tree's compiler, no incremental flags.
      const runTsc = [...verifier.typecheckCommands([edit.file]).values()][0]?.argv[1] as string;
      const fullArgv = [process.execPath, runTsc, '--noEmit', '--pretty', 'false', '-p', project];

      let fullDiagnostics: Diagnostic[] = [];
      const runFull = async () => {
        // Whatever a full run leaves in the tree (a project's own build info) goes after it.
        const untrackedBefore = await untracked(wt.dir);
        const { value: run, ...t } = await timed(() =>
          runTypecheck(
            wt.dir,
            fullArgv,
            config.typecheck.timeoutSeconds * 1000,
            undefined,
            compilerMounts(fullArgv, wt.dir),
          ),
        );
        if (run.error) throw new Error(`full run: ${run.error}`);
        fullDiagnostics = run.diagnostics;
        for (const f of await untracked(wt.dir)) {
          if (!untrackedBefore.has(f)) await rm(path.join(wt.dir, f), { recursive: true, force: true });
        }
        full.push(t);
        log(`run ${i}: full ${describe(t)}`);
      };
      let regressions: unknown = null;
      const runIncremental = async () => {
        const { value: verdict, ...t } = await timed(() => verifier.typecheck([edit.file]));
        if (verdict.error) throw new Error(`incremental run: ${verdict.error}`);
        regressions = verdict.regressions;
        const kind = verifier.lastRun.get(project) ?? 'full';
        kinds.push(kind);
        incremental.push(t);
        log(`run ${i}: ${kind} ${describe(t)}`);
      };
      // Alternating which goes first, so neither always meets a warmer page cache.
      if (i % 2) {
        await runFull();
        await runIncremental();
      } else {
        await runIncremental();
        await runFull();
      }
      // The verdict against the base must be the one the full run gives.
      const fullVerdict = newDiagnostics(verifier.baseDiagnosticsOf(project) ?? [], fullDiagnostics);
      if (JSON.stringify(fullVerdict) !== JSON.stringify(regressions)) sameVerdict = false;
      await (origin as Repository).removeWorktree(wt.dir);
      trees.pop();
    }

    const wall = median(incremental.map((t) => t.wallMs)) / median(full.map((t) => t.wallMs));
    const cpu = median(incremental.map((t) => t.cpuMs)) / median(full.map((t) => t.cpuMs));
    const load = os.loadavg().map((l) => l.toFixed(1));
    const pct = (r: number) => `${(r * 100).toFixed(0)}%`;
    process.stdout.write(
      [
        `Fix verification, ${new Date().toISOString().slice(0, 10)}: ${os.availableParallelism()} vCPU, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.versions.node}, sandbox ${sandbox.mode}, load average ${load.join(' ')}`,
        '',
        `${path.basename(opts.repo)}, ${project}, TypeScript ${tsVersion}; edit: ${edit.file}: ${edit.what}${edit.synthetic ? ' (added to the base first)' : ''}`,
        '',
        '| | wall (median) | CPU (median) |',
        '|---|---|---|',
        `| base run, once per commit (seed + full check + build info) | ${seconds(base.wallMs)} | ${seconds(base.cpuMs)} |`,
        `| full check after the edit | ${seconds(median(full.map((t) => t.wallMs)))} | ${seconds(median(full.map((t) => t.cpuMs)))} |`,
        `| incremental check after the edit | ${seconds(median(incremental.map((t) => t.wallMs)))} | ${seconds(median(incremental.map((t) => t.cpuMs)))} |`,
        `| incremental / full | ${pct(wall)} ${wall <= GOAL ? '(≤ 25%: met)' : '(≤ 25%: MISSED)'} | ${pct(cpu)} ${cpu <= GOAL ? '(≤ 25%: met)' : '(≤ 25%: MISSED)'} |`,
        '',
        `runs (wall / CPU): full ${full.map(describe).join(', ')}; incremental ${incremental.map(describe).join(', ')} (${kinds.join(', ')}); same verdict as the full check: ${sameVerdict ? 'yes' : 'NO'}`,
        '',
      ].join('\n'),
    );
    if (opts.json) {
      const json = {
        date: new Date().toISOString(),
        repo: opts.repo,
        project,
        typescript: tsVersion,
        sandbox: sandbox.mode,
        edit: { file: edit.file, what: edit.what, synthetic: edit.synthetic },
        base,
        full,
        incremental,
        kinds,
        medians: {
          fullWallMs: median(full.map((t) => t.wallMs)),
          fullCpuMs: median(full.map((t) => t.cpuMs)),
          incrementalWallMs: median(incremental.map((t) => t.wallMs)),
          incrementalCpuMs: median(incremental.map((t) => t.cpuMs)),
        },
        peakRssBytes: Math.max(
          base.peakRssBytes,
          ...full.map((t) => t.peakRssBytes),
          ...incremental.map((t) => t.peakRssBytes),
        ),
        ratio: { wall, cpu },
        goal: GOAL,
        sameVerdict,
        loadAverage: os.loadavg(),
      };
      await mkdir(path.dirname(opts.json), { recursive: true });
      await writeFile(opts.json, `${JSON.stringify(json, null, 2)}\n`);
      log(`results written to ${opts.json}`);
    }
    if (!sameVerdict) process.exitCode = 1;
  } finally {
    if (origin) for (const wt of trees) await origin.removeWorktree(wt.dir).catch(() => {});
    if (opts.keep) log(`kept ${scratch}`);
    else await rm(scratch, { recursive: true, force: true });
  }
}

/** Untracked and ignored paths of a tree, as git lists them (folders whole). */
async function untracked(dir: string): Promise<Set<string>> {
  const out = await git(dir, 'status', '--porcelain', '--ignored', '--untracked-files=normal', '-z');
  return new Set(
    out
      .split('\0')
      .filter((e) => e.startsWith('?? ') || e.startsWith('!! '))
      .map((e) => e.slice(3).replace(/\/$/, '')),
  );
}

function readTsVersion(tsc: string): string {
  try {
    const pkg = path.join(path.dirname(path.dirname(tsc)), 'package.json');
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`verify-bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
