/**
 * Programs the native compiler built but did not type-check. A syntax error in any file of
 * a program (or a missing type library, or a rejected option) stops its checking, and with
 * it every semantic rule for every file of the program. A full scan replaces the files it
 * may replace and checks those projects again; what still stops them is an error of the
 * run, never a silent lack of findings. Pure: the caller writes files and runs compilers.
 *
 * The compiler's report does not say whether it checked: a stopped program reports its
 * syntax or option errors alone, like a checked program whose only errors they are. Most
 * reports still show it (`checkedByDiagnostics`), or a syntax error the scan's own parser
 * finds too does (`parserAgrees`); only otherwise does `native-tsc.ts` ask the compiler.
 */
import type { Diagnostic } from '@selfreview/shared/tsc-output';
import { parseSourceFile } from '../analyze.ts';
import { UNDEFINED_CODES, UNUSED_CODES } from '../rules/semantic.ts';
import type { ProjectCheck, StoppedRun } from './project-check.ts';

/** What the compiler reads as code, and `neutralize` can replace by an empty module. */
const CODE_FILE = /\.[cm]?[jt]sx?$/;

/** The parser's and scanner's codes (the checker's grammar errors share the range). */
export function isSyntaxDiagnostic(d: Diagnostic): boolean {
  return d.code >= 1000 && d.code < 2000;
}

/**
 * Codes in the checker's ranges that the scanner, parser, config parser, module resolution
 * and program also report, before any checking (from TypeScript's own sources): a type
 * library or lib not found (2688, 2726, 2727), an ambiguous project root (2209, 2210),
 * names the parser rejects (2427, 2457, 2819, ...), private names out of place (18009,
 * 18016, 18029, 18030), `#!` not at the start (18026), config errors (18000-18051).
 */
const PRE_CHECK_CODES: ReadonlySet<number> = new Set([
  2209, 2210, 2427, 2457, 2458, 2657, 2688, 2726, 2727, 2754, 2809, 2819, 18000, 18002, 18003, 18009, 18016,
  18026, 18029, 18030, 18051,
]);
/** Config diagnostics after which the compiler still checks: an unknown option, no inputs. */
const NON_BLOCKING_CODES: ReadonlySet<number> = new Set([5023, 18003]);

/** A diagnostic only the checker reports: its presence proves the program was checked. */
function provesChecking(d: Diagnostic): boolean {
  if (d.file === null || PRE_CHECK_CODES.has(d.code)) return false;
  if (UNUSED_CODES.has(d.code) || UNDEFINED_CODES.has(d.code)) return true;
  const c = d.code;
  return (
    (c >= 2000 && c < 5000) ||
    (c >= 7000 && c < 8000) ||
    (c >= 9000 && c < 10000) ||
    (c >= 18000 && c < 19000)
  );
}

/**
 * Whether the compiler type-checked a program, from what it reported, when that shows it:
 * true when a diagnostic only the checker reports is among them, or nothing that could have
 * stopped it; undefined when only what comes before checking (syntax, options, files not
 * found) or the checker's grammar errors (in the syntax range too) were reported.
 */
export function checkedByDiagnostics(diagnostics: readonly Diagnostic[]): boolean | undefined {
  if (diagnostics.some(provesChecking)) return true;
  if (diagnostics.every((d) => NON_BLOCKING_CODES.has(d.code))) return true;
  return undefined;
}

/**
 * Whether the scan's own parser finds one of the syntax errors the compiler reported in
 * `file` (same code, same line) in `text`, the file's content. A syntax error anywhere
 * stops the compiler's checking, so this settles that a program was not checked, where
 * `checkedByDiagnostics` cannot.
 */
export function parserAgrees(file: string, reported: readonly Diagnostic[], text: string): boolean {
  const wanted = new Set(
    reported.filter((d) => d.file === file && isSyntaxDiagnostic(d)).map((d) => `${d.code}:${d.line}`),
  );
  if (wanted.size === 0 || !CODE_FILE.test(file)) return false;
  const sourceFile = parseSourceFile(file, text);
  const errors = (sourceFile as unknown as { parseDiagnostics?: readonly PositionedError[] })
    .parseDiagnostics;
  return (errors ?? []).some((e) =>
    wanted.has(`${e.code}:${sourceFile.getLineAndCharacterOfPosition(e.start ?? 0).line + 1}`),
  );
}

interface PositionedError {
  code: number;
  start?: number;
}

/**
 * The files to replace before checking the stopped programs again: files that failed to
 * parse (`broken`) and files the compiler names in syntax errors, where a stopped program
 * holds them and `canReplace` allows it (the caller wrote them, and does not need them
 * checked). Sorted.
 */
export function filesToReplace(
  stopped: readonly StoppedRun[],
  broken: readonly string[],
  canReplace: (file: string) => boolean,
): string[] {
  const inStopped = new Set(stopped.flatMap((run) => run.files));
  const files = new Set<string>();
  for (const file of broken) {
    if (inStopped.has(file) && CODE_FILE.test(file) && canReplace(file)) files.add(file);
  }
  for (const run of stopped) {
    for (const d of run.diagnostics) {
      if (d.file !== null && isSyntaxDiagnostic(d) && CODE_FILE.test(d.file) && canReplace(d.file))
        files.add(d.file);
    }
  }
  return [...files].sort();
}

/** The projects one of whose stopped programs held a replaced file, in their first order. */
export function projectsToRecheck(stopped: readonly StoppedRun[], replaced: readonly string[]): string[] {
  const set = new Set(replaced);
  const projects = new Set<string>();
  for (const run of stopped) if (run.files.some((f) => set.has(f))) projects.add(run.project);
  return [...projects];
}

/**
 * `first` with `again` (a check of `projects` only) in place of what `first` said of
 * those projects' stopped and lost programs. What `first` checked stays: a checked program
 * held no file with a syntax error, so replacing such files did not change it.
 */
export function withRechecked(
  first: ProjectCheck,
  again: ProjectCheck,
  projects: readonly string[],
): ProjectCheck {
  const rechecked = new Set(projects);
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const d of [...first.diagnostics, ...again.diagnostics]) {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
  }
  return {
    diagnostics,
    programFiles: new Set([...first.programFiles, ...again.programFiles]),
    // A project's option override is reported by both checks: once is enough.
    warnings: [...new Set([...first.warnings, ...again.warnings])],
    lost: [...first.lost.filter((l) => !rechecked.has(l.project)), ...again.lost],
    stopped: [...first.stopped.filter((s) => !rechecked.has(s.project)), ...again.stopped],
  };
}

/**
 * Why the compiler stopped before checking, from what it reported: the first syntax
 * error, else the first error of any kind (a missing type library, a file not found).
 */
export function stopCause(diagnostics: readonly Diagnostic[]): string {
  const syntax = diagnostics.find((d) => d.file !== null && isSyntaxDiagnostic(d));
  if (syntax?.file != null) {
    return `${displayPath(syntax.file)} has a syntax error the scan could not remove (TS${syntax.code} at line ${syntax.line}: ${firstLine(syntax.message)})`;
  }
  const first = diagnostics[0];
  if (first === undefined) return 'the compiler stopped before type checking and said nothing about why';
  const where = first.file === null ? '' : `${displayPath(first.file)}: `;
  return `the compiler stopped before type checking (${where}TS${first.code}: ${firstLine(first.message)})`;
}

export interface StoppedReport {
  /** One per project that left files of the scan unchecked. */
  errors: string[];
  /** One per stopped project whose files other projects checked. */
  warnings: string[];
  /** Scanned files no program checked because of the stops. */
  unchecked: Set<string>;
}

/**
 * What the stopped programs left after the last check: for each project, the scanned
 * files (`isScanned`) that no checked program (`checked`) contains.
 */
export function reportStopped(
  stopped: readonly StoppedRun[],
  isScanned: (file: string) => boolean,
  checked: ReadonlySet<string>,
): StoppedReport {
  const byProject = new Map<string, StoppedRun[]>();
  for (const run of stopped) byProject.set(run.project, [...(byProject.get(run.project) ?? []), run]);
  const report: StoppedReport = { errors: [], warnings: [], unchecked: new Set() };
  for (const [project, runs] of byProject) {
    const cause = stopCause(runs.flatMap((r) => r.diagnostics));
    const files = [...new Set(runs.flatMap((r) => r.files))].filter((f) => isScanned(f) && !checked.has(f));
    if (files.length === 0) {
      report.warnings.push(
        `${project}: the compiler checked nothing of it: ${cause}; every file of it was checked by another project`,
      );
      continue;
    }
    for (const f of files) report.unchecked.add(f);
    report.errors.push(
      `semantic rules off for project ${project}: ${cause}; ${files.length} file(s) not checked`,
    );
  }
  return report;
}

/** An installed dependency is named from its `node_modules`, wherever the install is. */
function displayPath(file: string): string {
  if (!file.startsWith('..')) return file;
  const at = file.indexOf('node_modules/');
  return at < 0 ? file : file.slice(at);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/\.$/, '');
}
