import { describe, expect, it } from 'vitest';
import { isIntendedUnused, newDiagnostics } from './diagnostics.ts';

const d = (file: string | null, code: number, message: string, line = 1) => ({
  file,
  line,
  column: 1,
  code,
  message,
});

describe('newDiagnostics', () => {
  it('ignores line numbers: a diagnostic that moved down is not new', () => {
    const before = [d('src/a.ts', 2322, "Type 'string' is not assignable to type 'number'.", 10)];
    const after = [d('src/a.ts', 2322, "Type 'string' is not assignable to type 'number'.", 11)];
    expect(newDiagnostics(before, after)).toEqual([]);
  });

  it('tells diagnostics apart by file, code and message', () => {
    const before = [d('src/a.ts', 2322, 'm')];
    expect(newDiagnostics(before, [d('src/b.ts', 2322, 'm')])).toHaveLength(1);
    expect(newDiagnostics(before, [d('src/a.ts', 2345, 'm')])).toHaveLength(1);
    expect(newDiagnostics(before, [d('src/a.ts', 2322, 'other')])).toHaveLength(1);
    expect(newDiagnostics(before, [d(null, 2322, 'm')])).toHaveLength(1);
  });

  it('counts repeats: a third copy of an error that was there twice is new', () => {
    const twice = [d('a.ts', 1, 'm', 1), d('a.ts', 1, 'm', 2)];
    expect(newDiagnostics(twice, [...twice, d('a.ts', 1, 'm', 3)])).toEqual([d('a.ts', 1, 'm', 3)]);
    expect(newDiagnostics(twice, [d('a.ts', 1, 'm', 5)])).toEqual([]);
  });
});

describe('isIntendedUnused', () => {
  const injected = new Set(['src/a.ts']);
  it('accepts only "unused" diagnostics in files that were injected into', () => {
    expect(
      isIntendedUnused(d('src/a.ts', 6133, "'x' is declared but its value is never read."), injected),
    ).toBe(true);
    expect(isIntendedUnused(d('src/a.ts', 6196, "'T' is declared but never used."), injected)).toBe(true);
    expect(
      isIntendedUnused(d('src/b.ts', 6133, "'x' is declared but its value is never read."), injected),
    ).toBe(false);
    expect(isIntendedUnused(d('src/a.ts', 2305, "Module './m' has no exported member 'x'."), injected)).toBe(
      false,
    );
    expect(isIntendedUnused(d(null, 6133, 'x'), injected)).toBe(false);
  });
});
