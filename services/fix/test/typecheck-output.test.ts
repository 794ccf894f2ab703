import { describe, expect, it } from 'vitest';
import {
  countByFile,
  type Diagnostic,
  newDiagnostics,
  parseTscOutput,
  withoutLineNumbers,
} from '../src/typecheck-output.ts';

const CWD = '/tmp/work/repo';

// Captured from `tsc --noEmit --pretty false` (TypeScript 5.9), lightly trimmed.
const SAMPLE = [
  "src/a.ts(12,5): error TS2304: Cannot find name 'x'.",
  "src/b.ts(3,7): error TS2322: Type '{ a: string; }' is not assignable to type 'Options'.",
  "  Object literal may only specify known properties, and 'a' does not exist in type 'Options'.",
  "/tmp/work/repo/app/(group)/page.tsx(1,10): error TS6133: 'React' is declared but its value is never read.",
  "error TS5023: Unknown compiler option 'foo'.",
  "error TS6053: File '/tmp/work/repo/missing.ts' not found.",
  '  The file is in the program because:',
  "    Part of 'files' list in tsconfig.json",
  '',
].join('\n');

describe('parseTscOutput', () => {
  it('parses file and global diagnostics with their continuation lines', () => {
    expect(parseTscOutput(SAMPLE, CWD)).toEqual([
      { file: 'src/a.ts', line: 12, column: 5, code: 2304, message: "Cannot find name 'x'." },
      {
        file: 'src/b.ts',
        line: 3,
        column: 7,
        code: 2322,
        message:
          "Type '{ a: string; }' is not assignable to type 'Options'.\n  Object literal may only specify known properties, and 'a' does not exist in type 'Options'.",
      },
      {
        file: 'app/(group)/page.tsx',
        line: 1,
        column: 10,
        code: 6133,
        message: "'React' is declared but its value is never read.",
      },
      { file: null, line: 0, column: 0, code: 5023, message: "Unknown compiler option 'foo'." },
      {
        file: null,
        line: 0,
        column: 0,
        code: 6053,
        message:
          "File './missing.ts' not found.\n  The file is in the program because:\n    Part of 'files' list in tsconfig.json",
      },
    ]);
  });

  it('handles CRLF output, ./ prefixes and unrelated lines', () => {
    const out =
      "> tsc --noEmit\r\n\r\n./src/a.ts(1,1): error TS1005: ';' expected.\r\nFound 1 error.\r\n  stray indented line\r\n";
    expect(parseTscOutput(out, CWD)).toEqual([
      { file: 'src/a.ts', line: 1, column: 1, code: 1005, message: "';' expected." },
    ]);
  });

  it('returns nothing for a clean run', () => {
    expect(parseTscOutput('', CWD)).toEqual([]);
  });
});

const d = (file: string | null, line: number, code: number, message: string): Diagnostic => ({
  file,
  line,
  column: 1,
  code,
  message,
});

describe('countByFile', () => {
  it("counts per file with '' for global diagnostics", () => {
    const counts = countByFile([d('a.ts', 1, 1, 'x'), d('a.ts', 2, 1, 'y'), d(null, 0, 5023, 'z')]);
    expect([...counts]).toEqual([
      ['a.ts', 2],
      ['', 1],
    ]);
  });
});

describe('newDiagnostics', () => {
  it('reports each file with diagnostics the base did not have, ignoring shifted lines', () => {
    const before = [
      d('src/a.ts', 10, 2304, "Cannot find name 'x'."),
      d('src/b.ts', 1, 2322, 'old'),
      d('src/b.ts', 2, 2322, 'older'),
    ];
    const after = [
      // Shifted by one line because an import line was removed: still the same diagnostic.
      d('src/a.ts', 9, 2304, "Cannot find name 'x'."),
      d('src/a.ts', 3, 2304, "Cannot find name 'useState'."),
      d('src/b.ts', 1, 2322, 'old'),
      d(null, 0, 5023, "Unknown compiler option 'foo'."),
    ];
    expect(newDiagnostics(before, after)).toEqual([
      {
        file: '',
        before: 0,
        after: 1,
        added: [after[3]],
        sample: ["TS5023: Unknown compiler option 'foo'."],
      },
      {
        file: 'src/a.ts',
        before: 1,
        after: 2,
        added: [after[1]],
        sample: ["TS2304 (line 3): Cannot find name 'useState'."],
      },
    ]);
  });

  it('keeps at most three samples and counts repeated messages', () => {
    const before = [d('a.ts', 1, 2304, "Cannot find name 'x'.")];
    const after = [1, 2, 3, 4, 5].map((line) => d('a.ts', line, 2304, "Cannot find name 'x'."));
    const [regression] = newDiagnostics(before, after);
    expect(regression?.added).toHaveLength(4);
    expect(regression?.sample).toEqual([
      "TS2304 (line 2): Cannot find name 'x'.",
      "TS2304 (line 3): Cannot find name 'x'.",
      "TS2304 (line 4): Cannot find name 'x'.",
    ]);
  });

  it('reports a new error that replaces an old one in the same file (the count stays the same)', () => {
    const before = [d('a.ts', 4, 6133, "'unused' is declared but its value is never read.")];
    const after = [d('a.ts', 3, 6133, "'total' is declared but its value is never read.")];
    expect(newDiagnostics(before, after)).toEqual([
      {
        file: 'a.ts',
        before: 1,
        after: 1,
        added: [after[0]],
        sample: ["TS6133 (line 3): 'total' is declared but its value is never read."],
      },
    ]);
  });

  it('compares messages without the line numbers they mention', () => {
    const before = [d('a.ts', 9, 2451, "Cannot redeclare 'x'. It was declared at a.ts(12,3) and line 12.")];
    const after = [d('a.ts', 8, 2451, "Cannot redeclare 'x'. It was declared at a.ts(11,3) and line 11.")];
    expect(newDiagnostics(before, after)).toEqual([]);
    expect(withoutLineNumbers('at src/a.ts:12:5 (line 7) in b.ts(3,4)')).toBe(
      'at src/a.ts:#:# (line #) in b.ts(#,#)',
    );
  });

  it('is empty when nothing is new', () => {
    const before = [d('a.ts', 1, 1, 'x'), d('b.ts', 1, 1, 'y')];
    expect(newDiagnostics(before, [d('a.ts', 1, 1, 'x')])).toEqual([]);
  });
});
