/**
 * Comparing typecheck results by what they say, not where: an injected line shifts every
 * line below it, so two runs agree on a diagnostic when its file, code and message agree.
 */
import type { Diagnostic } from '@selfreview/shared/tsc-output';

/** TS6133, TS6138, TS6192, TS6196, TS6198, TS6205: "declared but never used" in its forms. */
export const UNUSED_CODES: ReadonlySet<number> = new Set([6133, 6138, 6192, 6196, 6198, 6205]);

export function diagnosticKey(d: Pick<Diagnostic, 'file' | 'code' | 'message'>): string {
  return `${d.file ?? '-'}\u0000${d.code}\u0000${d.message}`;
}

/** The diagnostics of `after` not in `before`, counted as multisets (two equal errors before, three after: one new). */
export function newDiagnostics<D extends Pick<Diagnostic, 'file' | 'code' | 'message'>>(
  before: readonly D[],
  after: readonly D[],
): D[] {
  const remaining = new Map<string, number>();
  for (const d of before) remaining.set(diagnosticKey(d), (remaining.get(diagnosticKey(d)) ?? 0) + 1);
  const added: D[] = [];
  for (const d of after) {
    const key = diagnosticKey(d);
    const left = remaining.get(key) ?? 0;
    if (left > 0) remaining.set(key, left - 1);
    else added.push(d);
  }
  return added;
}

/** Whether a new diagnostic is the "unused" one an injection is meant to cause, and nothing else. */
export function isIntendedUnused(
  d: Pick<Diagnostic, 'file' | 'code' | 'message'>,
  injectedFiles: ReadonlySet<string>,
): boolean {
  return d.file !== null && injectedFiles.has(d.file) && UNUSED_CODES.has(d.code);
}
