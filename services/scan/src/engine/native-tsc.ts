/**
 * The native compiler (typescript@7) as scan's semantic engine for full scans: the fastest
 * whole-program checker there is, run once per project on a snapshot of the repository.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCommand } from '@selfreview/shared/subprocess';
import { type Diagnostic, parseTscOutput } from '@selfreview/shared/tsc-output';
import {
  derivedConfigText,
  hasBlockingOptionErrors,
  type OptionOverrides,
  overridesFor,
} from './projects.ts';

/** Beside each project's own config, so `include` and default globs resolve as they do for it. */
export const DERIVED_CONFIG = 'tsconfig.selfreview-scan.json';

export interface ProjectCheck {
  /** Diagnostics on files of the repository, paths relative to its root. */
  diagnostics: Diagnostic[];
  /** Repository files the compiler's programs contained. */
  programFiles: Set<string>;
  warnings: string[];
}

/** The native compiler's executable, or null where its platform package is missing. */
export async function findNativeTsc(): Promise<string | null> {
  try {
    // The package exports no path for its launcher's helper; it sits beside package.json.
    const pkg = createRequire(import.meta.url).resolve('typescript-native/package.json');
    const helper = pathToFileURL(path.join(path.dirname(pkg), 'lib', 'getExePath.js')).href;
    const { default: getExePath } = (await import(helper)) as { default: () => string };
    return getExePath();
  } catch {
    return null;
  }
}

export interface NativeCheckOptions {
  tscPath: string;
  /** Per project. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Checks each project of a snapshot folder with the native compiler, one after another
 * (it already uses every core). A project whose options the compiler rejects is checked
 * again with those options overridden, and the override is reported as a warning.
 */
export async function checkProjectsNative(
  root: string,
  projects: readonly string[],
  opts: NativeCheckOptions,
): Promise<ProjectCheck> {
  const result: ProjectCheck = { diagnostics: [], programFiles: new Set(), warnings: [] };
  const seen = new Set<string>();
  for (const project of projects) {
    let overrides: OptionOverrides = {};
    let run = await runProject(root, project, overrides, opts);
    if (run.blocked) {
      overrides = overridesFor(run.diagnostics);
      if (Object.keys(overrides).length > 0) {
        result.warnings.push(
          `${project}: options the compiler rejects were overridden for the scan: ${describe(overrides)}`,
        );
        run = await runProject(root, project, overrides, opts);
      }
    }
    if (run.failure !== undefined) {
      result.warnings.push(`${project}: ${run.failure}; semantic rules skipped for its files`);
      continue;
    }
    for (const file of run.programFiles) result.programFiles.add(file);
    for (const d of run.diagnostics) {
      if (d.file === null || d.file.startsWith('..') || d.file.includes('node_modules/')) continue;
      // Projects overlap (a shared folder in two programs): one copy of each diagnostic.
      const key = `${d.file}\0${d.line}\0${d.column}\0${d.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      result.diagnostics.push(d);
    }
  }
  return result;
}

interface ProjectRun {
  diagnostics: Diagnostic[];
  programFiles: string[];
  blocked: boolean;
  failure?: string;
}

async function runProject(
  root: string,
  project: string,
  overrides: OptionOverrides,
  opts: NativeCheckOptions,
): Promise<ProjectRun> {
  const dir = path.join(root, path.dirname(project));
  const derived = path.join(dir, DERIVED_CONFIG);
  await mkdir(dir, { recursive: true });
  await writeFile(derived, derivedConfigText(path.basename(project), overrides));
  // One type checker per core, at most the compiler's default of 4: more checkers than
  // cores cost memory (each holds its own types) without finishing sooner.
  const checkers = String(Math.max(1, Math.min(4, os.availableParallelism())));
  const args = ['-p', derived, '--pretty', 'false', '--listFiles', '--checkers', checkers];
  const out = await runCommand(opts.tscPath, args, {
    cwd: root,
    timeoutMs: opts.timeoutMs,
    maxOutputBytes: 256 * 1024 * 1024,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (out.timedOut) {
    return {
      diagnostics: [],
      programFiles: [],
      blocked: false,
      failure: `the compiler ran past ${opts.timeoutMs} ms`,
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
  if (blocked && programFiles.length === 0 && Object.keys(overrides).length > 0) {
    const first = diagnostics.find((d) => d.code >= 5000 && d.code < 7000);
    return {
      diagnostics,
      programFiles,
      blocked,
      failure: `the compiler refused its options (TS${first?.code}: ${first?.message})`,
    };
  }
  if (out.code !== 0 && out.code !== 1 && out.code !== 2) {
    return {
      diagnostics,
      programFiles,
      blocked,
      failure: `the compiler exited with ${out.code ?? out.signal}: ${out.stderr.trim().slice(0, 300)}`,
    };
  }
  return { diagnostics, programFiles, blocked };
}

function describe(overrides: OptionOverrides): string {
  return Object.entries(overrides)
    .map(([k, v]) => `${k}=${v === null ? '(default)' : String(v)}`)
    .join(', ');
}
