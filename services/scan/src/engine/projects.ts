/**
 * Which TypeScript projects a repository has, and how to make the native compiler accept
 * their configuration. Pure: the caller reads files and runs the compiler.
 */
import { posix } from 'node:path';
import { ts } from '@selfreview/shared/compiler';
import type { Diagnostic } from '@selfreview/shared/tsc-output';

/** Folders never searched for projects: dependencies, build output, VCS data. */
const NOT_PROJECT_DIRS = new Set([
  'node_modules',
  '.git',
  'dist',
  'build',
  'out',
  'coverage',
  '.next',
  '.turbo',
]);

/**
 * Every `tsconfig.json` in the tree, plus the configs their `references` name (often
 * `tsconfig.app.json`, `tsconfig.node.json`), in a stable order. `readText` returns a
 * config's text, or undefined when it is not in the tree.
 */
export function discoverProjects(
  paths: readonly string[],
  readText: (path: string) => string | undefined,
): string[] {
  const present = new Set(paths);
  const found = new Set<string>();
  const queue = paths
    .filter((p) => posix.basename(p) === 'tsconfig.json')
    .filter(
      (p) =>
        !p
          .split('/')
          .slice(0, -1)
          .some((d) => NOT_PROJECT_DIRS.has(d)),
    )
    .sort();
  while (queue.length > 0) {
    const config = queue.shift() as string;
    if (found.has(config)) continue;
    found.add(config);
    for (const ref of referencedConfigs(config, readText(config))) {
      if (present.has(ref) && !found.has(ref)) queue.push(ref);
    }
  }
  return [...found].sort();
}

/** The configs a tsconfig's `references` point at, as repository paths. */
export function referencedConfigs(config: string, text: string | undefined): string[] {
  if (text === undefined) return [];
  const parsed = ts.parseConfigFileTextToJson(config, text);
  const refs = (parsed.config as { references?: unknown } | undefined)?.references;
  if (!Array.isArray(refs)) return [];
  const dir = posix.dirname(config);
  const out: string[] = [];
  for (const ref of refs) {
    const target = (ref as { path?: unknown } | null)?.path;
    if (typeof target !== 'string' || target.length === 0) continue;
    const resolved = posix.normalize(posix.join(dir, target));
    if (resolved.startsWith('..')) continue;
    out.push(resolved.endsWith('.json') ? resolved : posix.join(resolved, 'tsconfig.json'));
  }
  return out;
}

/** Option values that replace a rejected one; null falls back to the compiler's default. */
export type OptionOverrides = Record<string, string | boolean | null>;

/**
 * What the scan always sets: check, never emit, report unused names. Project-reference
 * settings are switched off because each project is checked on its own, from source.
 */
export const SCAN_OPTIONS: OptionOverrides = {
  noEmit: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  composite: false,
  incremental: false,
  declaration: false,
  declarationMap: false,
  emitDeclarationOnly: false,
  tsBuildInfoFile: null,
  // Debugging output some projects leave on (zod's bench package traces every module
  // resolution): megabytes the scan would read and parse for nothing.
  traceResolution: false,
  extendedDiagnostics: false,
  diagnostics: false,
  explainFiles: false,
};

/**
 * Codes by which the compiler rejects an option: 5108/5102 removed, 5101/5107
 * deprecated, 5095 an option combination, 6046 a bad value, 5024 a wrong type.
 * 5023 (unknown option) is left alone: the compiler reports it but still checks.
 */
const REJECTED_OPTION_CODES = new Set([5024, 5095, 5101, 5102, 5107, 5108, 6046]);

/**
 * Overrides for the options these diagnostics reject, or an empty object when there is
 * nothing the scan can repair. Module settings are replaced as a pair, because the
 * compiler rejects most combinations of a new `module` with an old `moduleResolution`.
 */
export function overridesFor(diagnostics: readonly Diagnostic[]): OptionOverrides {
  const overrides: OptionOverrides = {};
  for (const d of diagnostics) {
    if (!REJECTED_OPTION_CODES.has(d.code)) continue;
    const option = rejectedOption(d);
    if (option === undefined) continue;
    if (option === 'module' || option === 'moduleResolution' || d.code === 5095) {
      overrides.module = 'preserve';
      overrides.moduleResolution = 'bundler';
    } else {
      overrides[option] = null;
    }
  }
  return overrides;
}

function rejectedOption(d: Diagnostic): string | undefined {
  // "Option 'moduleResolution=node10' has been removed", "Option 'baseUrl' has been removed",
  // "Argument for '--moduleResolution' option must be: ...", "Option 'bundler' can only be used when 'module' ..."
  if (d.code === 5095) return 'module';
  const quoted = /'(?:--)?([A-Za-z][A-Za-z0-9]*)(?:=[^']*)?'/.exec(d.message);
  return quoted?.[1];
}

/** Whether the compiler stopped before checking because of its configuration. */
export function hasBlockingOptionErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => REJECTED_OPTION_CODES.has(d.code));
}

/**
 * A config that extends the project's own and applies the scan's options and overrides.
 * With `files` (paths relative to the config's folder), the program is only those files
 * and what they import: a retry of part of a project the compiler could not check whole.
 */
export function derivedConfigText(
  baseName: string,
  overrides: OptionOverrides,
  files?: readonly string[],
): string {
  const config: Record<string, unknown> = {
    extends: `./${baseName}`,
    compilerOptions: { ...SCAN_OPTIONS, ...overrides },
  };
  if (files !== undefined) {
    config.files = [...files];
    config.include = [];
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Splits the files of a project the compiler could not check into at most `maxGroups`
 * groups for smaller programs, keeping each folder's files together (they import one
 * another, so splitting a folder would load it twice) and the groups about equal in size.
 * Folders are taken in path order; a group closes once it holds its share of the files.
 */
export function splitByFolder(files: readonly string[], maxGroups: number): string[][] {
  const byFolder = new Map<string, string[]>();
  for (const file of [...files].sort()) {
    const folder = posix.dirname(file);
    const list = byFolder.get(folder) ?? [];
    list.push(file);
    byFolder.set(folder, list);
  }
  const groups: string[][] = [];
  const share = Math.ceil(files.length / Math.max(1, maxGroups));
  let current: string[] = [];
  for (const folderFiles of byFolder.values()) {
    if (current.length > 0 && current.length + folderFiles.length > share && groups.length < maxGroups - 1) {
      groups.push(current);
      current = [];
    }
    current.push(...folderFiles);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
