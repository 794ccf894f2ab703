/**
 * Reading `tsc --noEmit --pretty false` output, so fix can tell whether its change made
 * the typecheck worse rather than whether the repository was clean to begin with.
 */
import type { Diagnostic } from '@selfreview/shared/tsc-output';

export { type Diagnostic, parseTscOutput } from '@selfreview/shared/tsc-output';

export interface FileRegression {
  /** '' for diagnostics without a file. */
  file: string;
  before: number;
  after: number;
  /** Every diagnostic of `after` that `before` did not have. */
  added: Diagnostic[];
  /** Up to 3 diagnostics of `after` that `before` did not have, as `TS<code> (line <n>): <first message line>`. */
  sample: string[];
}

const MAX_SAMPLES = 3;

/** Diagnostic counts per file; key '' for diagnostics without a file. */
export function countByFile(diags: readonly Diagnostic[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of diags) {
    const key = d.file ?? '';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Files with diagnostics the base did not have, sorted by file. A diagnostic is its file,
 * code and message with line numbers removed (the change being verified shifts them);
 * the comparison is a multiset, so a new error that replaces an old one in the same file
 * is new, and so is a second copy of an existing message.
 */
export function newDiagnostics(
  before: readonly Diagnostic[],
  after: readonly Diagnostic[],
): FileRegression[] {
  const beforeCounts = countByFile(before);
  const afterCounts = countByFile(after);
  const known = new Map<string, number>();
  for (const d of before) {
    const key = identity(d);
    known.set(key, (known.get(key) ?? 0) + 1);
  }
  const fresh = new Map<string, Diagnostic[]>();
  for (const d of after) {
    const key = identity(d);
    const left = known.get(key) ?? 0;
    if (left > 0) {
      known.set(key, left - 1);
      continue;
    }
    const file = d.file ?? '';
    fresh.set(file, [...(fresh.get(file) ?? []), d]);
  }

  const out: FileRegression[] = [];
  for (const [file, diags] of fresh) {
    out.push({
      file,
      before: beforeCounts.get(file) ?? 0,
      after: afterCounts.get(file) ?? 0,
      added: diags,
      sample: diags.slice(0, MAX_SAMPLES).map(describe),
    });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function identity(d: Diagnostic): string {
  return `${d.file ?? ''}\0${d.code}\0${withoutLineNumbers(d.message)}`;
}

/** `file.ts(12,5)`, `file.ts:12:5` and `line 12` lose their numbers; everything else stays. */
export function withoutLineNumbers(message: string): string {
  return message
    .replace(/\(\d+,\d+\)/g, '(#,#)')
    .replace(/:\d+:\d+\b/g, ':#:#')
    .replace(/\bline \d+\b/gi, 'line #');
}

function describe(d: Diagnostic): string {
  const firstLine = d.message.split('\n', 1)[0] ?? '';
  return d.file === null ? `TS${d.code}: ${firstLine}` : `TS${d.code} (line ${d.line}): ${firstLine}`;
}
