/**
 * Which tests verify a change, and how their results compare with the base commit. Pure:
 * the adapter in verify.ts runs the argv and hands the report's text back here.
 *
 * A runner we can talk to (vitest, jest) is asked for only the tests related to the changed
 * files, with a JSON report so results compare test by test; anything else runs as the
 * repository's `npm test` and compares by exit code only.
 */
import path from 'node:path';

export type TestRunner = 'vitest' | 'jest' | 'script';

export type TestPlan = {
  runner: TestRunner;
  /** argv; for vitest and jest it writes its JSON report to `reportFile`. */
  argv: string[];
  reportFile: string | null;
  /** Only the tests related to the changed files run (not the whole suite). */
  related: boolean;
};

/** One test's result: `file > full name`, or `file (suite)` for a file that failed to load. */
export type TestOutcome = { id: string; passed: boolean; message: string };

const DROPPED_FLAGS = /^--(watch|watchAll|coverage)(=.*)?$/;
const NPM_DEFAULT_TEST = 'echo "Error: no test specified" && exit 1';
/** A test script that is only a runner call (optionally `run`), with flags we can keep. */
const RUNNER_SCRIPT = /^(vitest|jest)(\s+run)?((?:\s+--?[\w-]+(?:[= ][\w./:@-]+)?)*)\s*$/;

/**
 * The plan for `npm test`'s script: a direct runner call when the script is one and the
 * runner's binary is installed (`bins` says where), else the script itself.
 */
export function planTests(opts: {
  script: string | undefined;
  changedFiles: readonly string[];
  scope: 'related' | 'all';
  bins: Partial<Record<'vitest' | 'jest', string>>;
  reportFile: string;
}): TestPlan | null {
  const script = opts.script?.trim();
  if (!script || script === NPM_DEFAULT_TEST) return null;
  const m = RUNNER_SCRIPT.exec(script);
  const runner = m?.[1] as 'vitest' | 'jest' | undefined;
  const bin = runner ? opts.bins[runner] : undefined;
  if (!m || !runner || !bin) {
    return { runner: 'script', argv: ['npm', 'test', '--silent'], reportFile: null, related: false };
  }
  // Watching never ends, and coverage only slows a subset down (and trips its thresholds).
  const flags = splitFlags(m[3] ?? '').filter((f) => !DROPPED_FLAGS.test(f));
  const related = opts.scope === 'related' && opts.changedFiles.length > 0;
  if (runner === 'vitest') {
    return {
      runner,
      argv: [
        bin,
        ...(related ? ['related', '--run', ...opts.changedFiles] : ['run']),
        ...flags,
        '--passWithNoTests',
        '--reporter=json',
        `--outputFile=${opts.reportFile}`,
      ],
      reportFile: opts.reportFile,
      related,
    };
  }
  return {
    runner,
    argv: [
      bin,
      ...flags,
      '--ci',
      '--passWithNoTests',
      '--json',
      `--outputFile=${opts.reportFile}`,
      ...(related ? ['--findRelatedTests', ...opts.changedFiles] : []),
    ],
    reportFile: opts.reportFile,
    related,
  };
}

function splitFlags(text: string): string[] {
  return text.trim() === '' ? [] : text.trim().split(/\s+/);
}

type JsonReport = {
  testResults?: {
    name?: string;
    status?: string;
    message?: string;
    assertionResults?: { fullName?: string; title?: string; status?: string; failureMessages?: string[] }[];
  }[];
};

/**
 * Per-test outcomes from a vitest or jest JSON report (the same shape); null when the text
 * is not such a report. Skipped and todo tests are left out: they neither pass nor fail.
 */
export function parseTestReport(text: string, cwd: string): TestOutcome[] | null {
  let report: JsonReport;
  try {
    report = JSON.parse(text) as JsonReport;
  } catch {
    return null;
  }
  if (!report || !Array.isArray(report.testResults)) return null;
  const out: TestOutcome[] = [];
  for (const file of report.testResults) {
    const name = file.name ? path.relative(cwd, path.resolve(cwd, file.name)).replaceAll('\\', '/') : '?';
    const assertions = file.assertionResults ?? [];
    if (assertions.length === 0 && file.status === 'failed') {
      out.push({ id: `${name} (suite)`, passed: false, message: firstLine(file.message ?? '') });
      continue;
    }
    for (const a of assertions) {
      if (a.status !== 'passed' && a.status !== 'failed') continue;
      out.push({
        id: `${name} > ${a.fullName ?? a.title ?? '?'}`,
        passed: a.status === 'passed',
        message: firstLine(a.failureMessages?.[0] ?? ''),
      });
    }
  }
  return out;
}

/** Tests that fail now and did not fail at the base (a test new in the change counts too). */
export function newFailures(base: readonly TestOutcome[], after: readonly TestOutcome[]): TestOutcome[] {
  const failedAtBase = new Set(base.filter((t) => !t.passed).map((t) => t.id));
  return after.filter((t) => !t.passed && !failedAtBase.has(t.id));
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 200);
}
