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
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultRepoConfig } from '@selfreview/shared/config';
import { activeSandbox } from '@selfreview/shared/sandbox';
import type { Repository, Worktree } from '@selfreview/shared/workspace';
import { type Diagnostic, newDiagnostics } from '../../services/fix/src/typecheck-output.ts';
import { Verifier } from '../../services/fix/src/verification.ts';
import { compilerMounts, runTypecheck } from '../../services/fix/src/verify.ts';
import { prepareWorktree } from '../../services/fix/src/worktree-setup.ts';
import { chooseEdit } from './verify-edit.ts';
import { parseOptions } from './verify-options.ts';
import { cloneOf, untracked } from './verify-repo.ts';
import { renderReport, reportJson } from './verify-report.ts';
import { describe, type Timing, timed } from './verify-timing.ts';

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
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

    const result = {
      repo: opts.repo,
      project,
      tsVersion,
      sandbox: sandbox.mode,
      edit,
      base,
      full,
      incremental,
      kinds,
      sameVerdict,
    };
    process.stdout.write(renderReport(result));
    if (opts.json) {
      await mkdir(path.dirname(opts.json), { recursive: true });
      await writeFile(opts.json, `${JSON.stringify(reportJson(result), null, 2)}\n`);
      log(`results written to ${opts.json}`);
    }
    if (!sameVerdict) process.exitCode = 1;
  } finally {
    if (origin) for (const wt of trees) await origin.removeWorktree(wt.dir).catch(() => {});
    if (opts.keep) log(`kept ${scratch}`);
    else await rm(scratch, { recursive: true, force: true });
  }
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
