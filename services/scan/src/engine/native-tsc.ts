/**
 * The native compiler (typescript@7) as scan's semantic engine for full scans: the fastest
 * whole-program checker there is, run once per project on a snapshot of the repository.
 * It executes nothing of the repository, but it is fed the repository's files: it runs as
 * repository code does, in the sandbox, seeing the snapshot and its dependencies read-only.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { readProjectConfig } from '@selfreview/shared/compiler';
import { dependencyMounts } from '@selfreview/shared/dependencies';
import { runRepositoryCode, toolMount } from '@selfreview/shared/sandbox';
import { type Diagnostic, parseTscOutput } from '@selfreview/shared/tsc-output';
import type { ProjectCheck, StoppedRun } from './project-check.ts';
import {
  derivedConfigText,
  hasBlockingOptionErrors,
  type OptionOverrides,
  overridesFor,
  splitByFolder,
} from './projects.ts';
import { checkedByDiagnostics, isSyntaxDiagnostic, parserAgrees } from './stopped.ts';

export type { LostProject, ProjectCheck, StoppedRun } from './project-check.ts';

/** Beside each project's own config, so `include` and default globs resolve as they do for it. */
export const DERIVED_CONFIG = 'tsconfig.selfreview-scan.json';
/** A retry of part of a project: its own name, so the retry never overwrites the full config. */
export const RETRY_CONFIG = 'tsconfig.selfreview-retry.json';
/** Smaller programs a failed project's unchecked files are retried in. */
const RETRY_GROUPS = 2;

/**
 * The native compiler's executable, or null where its platform package is missing.
 *
 * typescript@7 publishes the compiler as an executable in one package per platform (among
 * its optional dependencies), named as the package's one `bin`. That bin is a Node launcher
 * which finds the executable and runs it; scan runs the executable itself, since on Node
 * before 22.15 the launcher stays alive as the compiler's parent and in the sandbox it would
 * need Node too. Both packages are reached through the `package.json` they export, nothing
 * else of their insides.
 */
export async function findNativeTsc(): Promise<string | null> {
  try {
    const manifest = createRequire(import.meta.url).resolve('typescript-native/package.json');
    const { bin } = JSON.parse(await readFile(manifest, 'utf8')) as { bin?: Record<string, string> };
    const [name, ...others] = Object.keys(bin ?? {});
    if (name === undefined || others.length > 0) return null;
    const platform = createRequire(manifest).resolve(
      `@typescript/typescript-${process.platform}-${process.arch}/package.json`,
    );
    const exe = path.join(path.dirname(platform), 'lib', process.platform === 'win32' ? `${name}.exe` : name);
    await access(exe, constants.X_OK);
    return exe;
  } catch {
    return null;
  }
}

export interface NativeCheckOptions {
  tscPath: string;
  /** Per project. */
  timeoutMs: number;
  /** Per retry of a failed project's unchecked files; longer, since time may be why it failed. */
  retryTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Checks each project of a snapshot folder with the native compiler, one after another
 * (it already uses every core). A project whose options the compiler rejects is checked
 * again with those options overridden, and the override is reported as a warning.
 *
 * A project whose compiler run fails (killed by a signal, crashed, past its time) does
 * not lose its files: once every project has run, its own files that no other project's
 * program checked are checked again, alone, in at most two smaller programs (by folder)
 * with the longer retry limit. What still fails is returned in `lost`, for the caller to
 * report as an error of the run.
 *
 * A program the compiler stopped before type-checking is returned in `stopped`: only the
 * caller knows which of its files it may replace (see `full-scan.ts`).
 */
export async function checkProjectsNative(
  root: string,
  projects: readonly string[],
  opts: NativeCheckOptions,
): Promise<ProjectCheck> {
  const result: ProjectCheck = {
    diagnostics: [],
    programFiles: new Set(),
    warnings: [],
    lost: [],
    stopped: [],
  };
  const seen = new Set<string>();
  const merge = (run: ProjectRun): void => {
    for (const file of run.programFiles) result.programFiles.add(file);
    for (const d of run.diagnostics) {
      if (d.file === null || d.file.startsWith('..') || d.file.includes('node_modules/')) continue;
      // Projects overlap (a shared folder in two programs): one copy of each diagnostic.
      const key = `${d.file}\0${d.line}\0${d.column}\0${d.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      result.diagnostics.push(d);
    }
  };
  const failed: { project: string; overrides: OptionOverrides; failure: string }[] = [];
  for (const project of projects) {
    let overrides: OptionOverrides = {};
    let run = await runProject(root, project, overrides, opts.timeoutMs, opts);
    if (run.blocked) {
      overrides = overridesFor(run.diagnostics);
      if (Object.keys(overrides).length > 0) {
        result.warnings.push(
          `${project}: options the compiler rejects were overridden for the scan: ${describe(overrides)}`,
        );
        run = await runProject(root, project, overrides, opts.timeoutMs, opts);
      }
    }
    run = await settled(run, () =>
      runProject(root, project, overrides, opts.timeoutMs, opts, undefined, true),
    );
    if (run.failure !== undefined) failed.push({ project, overrides, failure: run.failure });
    else if (run.checked === false) result.stopped.push(stoppedRun(project, run));
    else merge(run);
  }
  for (const { project, overrides, failure } of failed) {
    // Only now is it known which of its files the other projects (often the packages a
    // root config includes) have checked.
    const unchecked = ownFiles(root, project).filter((f) => !result.programFiles.has(f));
    if (unchecked.length === 0) {
      result.warnings.push(`${project}: ${failure}; every file of it was checked by another project`);
      continue;
    }
    if (opts.signal?.aborted) {
      result.lost.push({ project, files: unchecked, reason: failure });
      continue;
    }
    const groups = splitByFolder(unchecked, RETRY_GROUPS);
    const lostFiles: string[] = [];
    let lastFailure = failure;
    let stopped = false;
    for (const group of groups) {
      const run = await settled(
        await runProject(root, project, overrides, opts.retryTimeoutMs, opts, group),
        () => runProject(root, project, overrides, opts.retryTimeoutMs, opts, group, true),
      );
      if (run.failure !== undefined) {
        lostFiles.push(...group.filter((f) => !result.programFiles.has(f)));
        lastFailure = run.failure;
      } else if (run.checked === false) {
        // Not lost to the failure: the caller may remove what stopped it and check again.
        result.stopped.push(stoppedRun(project, run));
        stopped = true;
      } else merge(run);
    }
    if (lostFiles.length === 0 && !stopped) {
      result.warnings.push(
        `${project}: ${failure}; its ${unchecked.length} file(s) no other project checks were checked again in ${groups.length} smaller program(s)`,
      );
    } else if (lostFiles.length > 0) {
      result.lost.push({
        project,
        files: lostFiles,
        reason: `${failure}; retried in ${groups.length} smaller program(s) with a ${formatLimit(opts.retryTimeoutMs)} limit: ${lastFailure}`,
      });
    }
  }
  return result;
}

/**
 * The files a project itself names (`files`, `include` minus `exclude`, through `extends`),
 * as repository paths: what the run loses when the compiler cannot check the project. Read
 * with the JavaScript compiler's config parser, which needs no type checking.
 */
function ownFiles(root: string, project: string): string[] {
  const parsed = readProjectConfig(path.join(root, project));
  if (!parsed) return [];
  return parsed.fileNames
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .filter((f) => !f.startsWith('..') && !f.split('/').includes('node_modules'));
}

interface ProjectRun {
  diagnostics: Diagnostic[];
  programFiles: string[];
  blocked: boolean;
  /**
   * Whether the compiler type-checked the program, rather than stopping at what it reports;
   * undefined when its report does not show which (see `settled`).
   */
  checked: boolean | undefined;
  failure?: string;
}

/**
 * A run whose report does not show whether the compiler checked the program, run again
 * with `--diagnostics`, which says so ("Check time"). Not on every run: the phase timing
 * makes the compiler about a fifth slower, and most reports show it (see `stopped.ts`).
 */
async function settled(run: ProjectRun, withPhases: () => Promise<ProjectRun>): Promise<ProjectRun> {
  return run.failure === undefined && run.checked === undefined ? withPhases() : run;
}

function stoppedRun(project: string, run: ProjectRun): StoppedRun {
  return { project, files: run.programFiles, diagnostics: run.diagnostics };
}

/** `--diagnostics` prints the compiler's phase times, "Check time" only when its checker ran. */
const CHECK_TIME = /^Check time:/m;
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * One compiler run on a project, or with `files` (repository paths) on those files only;
 * with `phases`, the compiler also prints its phase times.
 */
async function runProject(
  root: string,
  project: string,
  overrides: OptionOverrides,
  timeoutMs: number,
  opts: NativeCheckOptions,
  files?: readonly string[],
  phases = false,
): Promise<ProjectRun> {
  const dir = path.join(root, path.dirname(project));
  const derived = path.join(dir, files === undefined ? DERIVED_CONFIG : RETRY_CONFIG);
  await mkdir(dir, { recursive: true });
  const relativeFiles = files?.map((f) => `./${path.posix.relative(path.posix.dirname(project), f)}`);
  await writeFile(derived, derivedConfigText(path.basename(project), overrides, relativeFiles));
  // One type checker per core, at most the compiler's default of 4: more checkers than
  // cores cost memory (each holds its own types) without finishing sooner.
  const checkers = String(Math.max(1, Math.min(4, os.availableParallelism())));
  const args = ['-p', derived, '--pretty', 'false', '--listFiles', '--checkers', checkers];
  if (phases) args.push('--diagnostics');
  const out = await runRepositoryCode(opts.tscPath, args, {
    cwd: root,
    timeoutMs,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    ...(opts.signal ? { signal: opts.signal } : {}),
    // With noEmit the compiler writes nothing: the snapshot is read-only to it.
    writable: [],
    readOnly: [root, ...(await dependencyMounts(root)), ...(await compilerMounts(opts.tscPath))],
  });
  if (out.timedOut) {
    return {
      diagnostics: [],
      programFiles: [],
      blocked: false,
      checked: false,
      failure: `the compiler ran past its ${formatLimit(timeoutMs)} limit`,
    };
  }
  if (Buffer.byteLength(out.stdout) >= MAX_OUTPUT_BYTES) {
    // Cut off: its end (the diagnostics past the cut, "Check time") is missing, so the run
    // says nothing reliable; smaller programs print less.
    return {
      diagnostics: [],
      programFiles: [],
      blocked: false,
      checked: false,
      failure: `the compiler's output passed its ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB limit`,
    };
  }
  const diagnostics = parseTscOutput(out.stdout, root);
  const programFiles: string[] = [];
  for (const line of out.stdout.split('\n')) {
    if (!line.startsWith('/')) continue;
    const rel = path.relative(root, line.trim()).split(path.sep).join('/');
    if (rel.startsWith('..') || rel.split('/').includes('node_modules')) continue;
    programFiles.push(rel);
  }
  const blocked = hasBlockingOptionErrors(diagnostics);
  const checked = phases ? CHECK_TIME.test(out.stdout) : await checkedFromReport(root, diagnostics);
  if (blocked && programFiles.length === 0 && Object.keys(overrides).length > 0) {
    const first = diagnostics.find((d) => d.code >= 5000 && d.code < 7000);
    return {
      diagnostics,
      programFiles,
      blocked,
      checked,
      failure: `the compiler refused its options (TS${first?.code}: ${first?.message})`,
    };
  }
  if (out.code !== 0 && out.code !== 1 && out.code !== 2) {
    const stderr = out.stderr.trim().slice(0, 300);
    return {
      diagnostics,
      programFiles,
      blocked,
      checked,
      failure: `the compiler exited with ${out.code ?? out.signal}${stderr ? `: ${stderr}` : ''}`,
    };
  }
  return { diagnostics, programFiles, blocked, checked };
}

let ownCompiler: Promise<string | null> | null = null;

/**
 * The compiler's folder, and that of the native compiler selfreview installs: a wrapper
 * standing in for the compiler (a test's, an operator's) usually runs that one.
 */
async function compilerMounts(tscPath: string): Promise<string[]> {
  ownCompiler ??= findNativeTsc();
  const own = await ownCompiler;
  return [toolMount(tscPath), ...(own ? [toolMount(own)] : [])];
}

/**
 * Whether the compiler checked the program, from its report alone: the diagnostics show it,
 * or a syntax error it reports is one the scan's parser finds too (a file that does not
 * parse stops all checking). Undefined when neither settles it.
 */
async function checkedFromReport(
  root: string,
  diagnostics: readonly Diagnostic[],
): Promise<boolean | undefined> {
  const shown = checkedByDiagnostics(diagnostics);
  if (shown !== undefined) return shown;
  const files = [...new Set(diagnostics.filter(isSyntaxDiagnostic).flatMap((d) => d.file ?? []))];
  // A few files settle it or nothing will: the run with phase times is the fallback.
  for (const file of files.slice(0, MAX_FILES_TO_PARSE)) {
    const text = await readFile(path.resolve(root, file), 'utf8').catch(() => undefined);
    if (text !== undefined && parserAgrees(file, diagnostics, text)) return false;
  }
  return undefined;
}

const MAX_FILES_TO_PARSE = 5;

function formatLimit(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function describe(overrides: OptionOverrides): string {
  return Object.entries(overrides)
    .map(([k, v]) => `${k}=${v === null ? '(default)' : String(v)}`)
    .join(', ');
}
