import type { Diagnostic } from '@selfreview/shared/tsc-output';
import { describe, expect, it } from 'vitest';
import type { ProjectCheck, StoppedRun } from '../src/engine/native-tsc.ts';
import {
  checkedByDiagnostics,
  filesToReplace,
  isSyntaxDiagnostic,
  parserAgrees,
  projectsToRecheck,
  reportStopped,
  stopCause,
  withRechecked,
} from '../src/engine/stopped.ts';

const d = (file: string | null, code: number, message: string, line = 1): Diagnostic => ({
  file,
  line: file === null ? 0 : line,
  column: file === null ? 0 : 1,
  code,
  message,
});

const run = (project: string, files: string[], diagnostics: Diagnostic[] = []): StoppedRun => ({
  project,
  files,
  diagnostics,
});

const check = (over: Partial<ProjectCheck>): ProjectCheck => ({
  diagnostics: [],
  programFiles: new Set(),
  warnings: [],
  lost: [],
  stopped: [],
  ...over,
});

describe('isSyntaxDiagnostic', () => {
  it('is the TS1xxx range', () => {
    expect(
      [999, 1000, 1127, 1999, 2000, 6133].map((code) => isSyntaxDiagnostic(d('a.ts', code, ''))),
    ).toEqual([false, true, true, true, false, false]);
  });
});

describe('checkedByDiagnostics', () => {
  it('is true when a diagnostic only the checker reports is among them', () => {
    expect(
      checkedByDiagnostics([
        d('src/a.ts', 1127, 'Invalid character.'),
        d('src/b.ts', 6133, "'x' is declared but its value is never read."),
      ]),
    ).toBe(true);
    expect(checkedByDiagnostics([d('src/a.ts', 2304, "Cannot find name 'x'.")])).toBe(true);
    expect(
      checkedByDiagnostics([d('src/a.ts', 2322, "Type 'string' is not assignable to type 'number'.")]),
    ).toBe(true);
    expect(checkedByDiagnostics([d('src/a.ts', 7006, "Parameter 'p' implicitly has an 'any' type.")])).toBe(
      true,
    );
    expect(checkedByDiagnostics([d('src/a.ts', 18048, "'v' is possibly 'undefined'.")])).toBe(true);
  });

  it('is true when nothing was reported that could have stopped the checker', () => {
    expect(checkedByDiagnostics([])).toBe(true);
    expect(
      checkedByDiagnostics([
        d('tsconfig.selfreview-scan.json', 5023, "Unknown compiler option 'bogus'."),
        d(null, 18003, "No inputs were found in config file 'tsconfig.json'."),
      ]),
    ).toBe(true);
  });

  it('is undefined when only syntax, option and program errors were reported, or codes the parser shares with the checker', () => {
    expect(checkedByDiagnostics([d('src/a.ts', 1127, 'Invalid character.')])).toBeUndefined();
    // The checker's grammar errors are in the syntax range too.
    expect(
      checkedByDiagnostics([
        d('src/a.ts', 1308, "'await' expressions are only allowed within async functions."),
      ]),
    ).toBeUndefined();
    expect(
      checkedByDiagnostics([d(null, 2688, "Cannot find type definition file for 'node'.")]),
    ).toBeUndefined();
    expect(
      checkedByDiagnostics([d('src/a.ts', 2688, "Cannot find type definition file for 'node'.")]),
    ).toBeUndefined();
    expect(checkedByDiagnostics([d(null, 2318, "Cannot find global type 'Array'.")])).toBeUndefined();
    expect(checkedByDiagnostics([d(null, 6053, "File './src/nope.ts' not found.")])).toBeUndefined();
    expect(
      checkedByDiagnostics([d('src/a.ts', 18026, "'#!' can only be used at the start of a file.")]),
    ).toBeUndefined();
    expect(checkedByDiagnostics([d('src/a.ts', 2427, "Interface name cannot be 'string'.")])).toBeUndefined();
  });
});

describe('parserAgrees', () => {
  it("is true when the scan's parser finds a reported syntax error: same code, same line", () => {
    const text = 'export const a = 1;\nexport const = ;\n';
    expect(parserAgrees('src/x.ts', [d('src/x.ts', 1134, 'Variable declaration expected.', 2)], text)).toBe(
      true,
    );
    expect(
      parserAgrees('src/bin.ts', [d('src/bin.ts', 1127, 'Invalid character.', 1)], '\u0000\u0001ab'),
    ).toBe(true);
    expect(
      parserAgrees(
        'deps/index.d.ts',
        [d('deps/index.d.ts', 1110, 'Type expected.', 1)],
        'export declare const dep: ;\n',
      ),
    ).toBe(true);
  });

  it('is false for another line, another code, another file, a file that parses, or JSON', () => {
    const text = 'export const a = 1;\nexport const = ;\n';
    expect(parserAgrees('src/x.ts', [d('src/x.ts', 1134, 'Variable declaration expected.', 1)], text)).toBe(
      false,
    );
    expect(parserAgrees('src/x.ts', [d('src/x.ts', 1005, "';' expected.", 2)], text)).toBe(false);
    expect(parserAgrees('src/x.ts', [d('src/y.ts', 1134, 'Variable declaration expected.', 2)], text)).toBe(
      false,
    );
    expect(
      parserAgrees(
        'src/ok.ts',
        [d('src/ok.ts', 1308, "'await' expressions are only allowed within async functions.", 1)],
        'export function h() { await 1; }\n',
      ),
    ).toBe(false);
    expect(parserAgrees('data.json', [d('data.json', 1005, "',' expected.", 1)], '{ "a": 1 "b": 2 }')).toBe(
      false,
    );
  });
});

describe('filesToReplace', () => {
  const stopped = [
    run(
      'tsconfig.json',
      ['src/a.ts', 'src/broken.ts', 'src/types.d.ts', 'src/data.json', 'src/scanned.ts', 'src/legacy.js'],
      [
        d('src/types.d.ts', 1005, "';' expected."),
        d('src/data.json', 1327, 'String literal with double quotes expected.'),
        d('src/scanned.ts', 1128, 'Declaration or statement expected.'),
        d('src/legacy.js', 1109, 'Expression expected.'),
        d('../repo/node_modules/dep/index.d.ts', 1110, 'Type expected.'),
        d('src/a.ts', 2688, "Cannot find type definition file for 'node'."),
      ],
    ),
  ];
  const written = new Set([
    'src/a.ts',
    'src/broken.ts',
    'src/types.d.ts',
    'src/data.json',
    'src/scanned.ts',
    'src/legacy.js',
    'src/other-broken.ts',
  ]);

  it('takes the broken files the stopped programs hold, and the code files named in their syntax errors', () => {
    const canReplace = (f: string) => written.has(f) && f !== 'src/scanned.ts';
    expect(filesToReplace(stopped, ['src/broken.ts', 'src/other-broken.ts'], canReplace)).toEqual([
      'src/broken.ts',
      'src/legacy.js',
      'src/types.d.ts',
    ]);
  });

  it('takes nothing when no program stopped', () => {
    expect(filesToReplace([], ['src/broken.ts'], () => true)).toEqual([]);
  });
});

describe('projectsToRecheck', () => {
  it('names each project one of whose stopped programs held a replaced file, once, in order', () => {
    const stopped = [
      run('b/tsconfig.json', ['b/x.ts']),
      run('a/tsconfig.json', ['a/y.ts', 'shared/broken.ts']),
      run('c/tsconfig.json', ['c/z.ts']),
      run('b/tsconfig.json', ['shared/broken.ts']),
    ];
    expect(projectsToRecheck(stopped, ['shared/broken.ts'])).toEqual(['a/tsconfig.json', 'b/tsconfig.json']);
  });
});

describe('withRechecked', () => {
  it("replaces the rechecked projects' stopped and lost programs and keeps everything else, without duplicates", () => {
    const kept = d('src/c.ts', 6133, "'c' is declared but its value is never read.");
    const again = d('src/a.ts', 2304, "Cannot find name 'x'.");
    const first = check({
      diagnostics: [kept],
      programFiles: new Set(['src/c.ts']),
      warnings: [
        'tsconfig.json: options the compiler rejects were overridden for the scan: baseUrl=(default)',
      ],
      lost: [
        { project: 'tsconfig.json', files: ['src/z.ts'], reason: 'killed' },
        { project: 'other/tsconfig.json', files: ['other/o.ts'], reason: 'killed' },
      ],
      stopped: [run('tsconfig.json', ['src/a.ts']), run('third/tsconfig.json', ['third/t.ts'])],
    });
    const second = check({
      diagnostics: [again, kept],
      programFiles: new Set(['src/a.ts', 'src/c.ts']),
      warnings: [
        'tsconfig.json: options the compiler rejects were overridden for the scan: baseUrl=(default)',
      ],
    });
    expect(withRechecked(first, second, ['tsconfig.json'])).toEqual({
      diagnostics: [kept, again],
      programFiles: new Set(['src/c.ts', 'src/a.ts']),
      warnings: [
        'tsconfig.json: options the compiler rejects were overridden for the scan: baseUrl=(default)',
      ],
      lost: [{ project: 'other/tsconfig.json', files: ['other/o.ts'], reason: 'killed' }],
      stopped: [run('third/tsconfig.json', ['third/t.ts'])],
    });
  });
});

describe('stopCause', () => {
  it('names the first syntax error, an installed dependency from its node_modules', () => {
    expect(
      stopCause([
        d(null, 2688, "Cannot find type definition file for 'node'.\n  The file is in the program because:"),
        d('../../tmp/repo/node_modules/dep/index.d.ts', 1110, 'Type expected.', 3),
        d('src/x.ts', 1127, 'Invalid character.'),
      ]),
    ).toBe(
      'node_modules/dep/index.d.ts has a syntax error the scan could not remove (TS1110 at line 3: Type expected)',
    );
    expect(stopCause([d('src/x.ts', 1127, 'Invalid character.', 2)])).toBe(
      'src/x.ts has a syntax error the scan could not remove (TS1127 at line 2: Invalid character)',
    );
  });

  it('names the first error of another kind, with only the first line of its message', () => {
    expect(
      stopCause([
        d(null, 2688, "Cannot find type definition file for 'node'.\n  The file is in the program because:"),
      ]),
    ).toBe("the compiler stopped before type checking (TS2688: Cannot find type definition file for 'node')");
    expect(stopCause([d('src/a.ts', 6059, "File is not under 'rootDir'.")])).toBe(
      "the compiler stopped before type checking (src/a.ts: TS6059: File is not under 'rootDir')",
    );
  });

  it('says so when the compiler reported nothing', () => {
    expect(stopCause([])).toBe('the compiler stopped before type checking and said nothing about why');
  });
});

describe('reportStopped', () => {
  const syntax = d('src/x.ts', 1127, 'Invalid character.');

  it('is an error per project that left scanned files unchecked, counting each file once', () => {
    const report = reportStopped(
      [
        run('tsconfig.json', ['src/a.ts', 'src/b.ts', 'src/x.ts', 'lib.d.ts'], [syntax]),
        run('tsconfig.json', ['src/b.ts', 'src/c.ts'], []),
      ],
      (f) => ['src/a.ts', 'src/b.ts', 'src/c.ts'].includes(f),
      new Set(['src/c.ts']),
    );
    expect(report).toEqual({
      errors: [
        'semantic rules off for project tsconfig.json: src/x.ts has a syntax error the scan could not remove (TS1127 at line 1: Invalid character); 2 file(s) not checked',
      ],
      warnings: [],
      unchecked: new Set(['src/a.ts', 'src/b.ts']),
    });
  });

  it('is a warning when other programs checked every scanned file of the project', () => {
    const report = reportStopped(
      [run('packages/a/tsconfig.json', ['packages/a/i.ts', 'packages/a/x.ts'], [syntax])],
      (f) => f === 'packages/a/i.ts',
      new Set(['packages/a/i.ts']),
    );
    expect(report).toEqual({
      errors: [],
      warnings: [
        'packages/a/tsconfig.json: the compiler checked nothing of it: src/x.ts has a syntax error the scan could not remove (TS1127 at line 1: Invalid character); every file of it was checked by another project',
      ],
      unchecked: new Set(),
    });
  });

  it('reports nothing when nothing stopped', () => {
    expect(reportStopped([], () => true, new Set())).toEqual({
      errors: [],
      warnings: [],
      unchecked: new Set(),
    });
  });
});
