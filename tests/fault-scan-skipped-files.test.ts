/**
 * Files the scan skips (binary, past the size limit) and files that do not parse must not
 * reach the native compiler: one syntax error anywhere in a program stops its type
 * checking, and with it unused-import, unused-local, unused-parameter and
 * undefined-identifier for every file of the program. What the scan cannot take out of the
 * compiler's way is an error of the run, never a silent lack of findings.
 *
 * Full scans go through `fullScan`, as the scan worker calls it, on real git repositories,
 * with the native compiler (through a script that logs each run) and the JavaScript one.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  findNativeTsc,
  fullScan,
  pushScan,
  type ScanOutcome,
  scanSettingsFrom,
  WarmCache,
} from '@selfreview/scan';
import { defaultRepoConfig } from '@selfreview/shared/config';
import { Repository } from '@selfreview/shared/workspace';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { makeRepo, removeDir, tempDir } from './helpers/git.ts';

// The compilers here are wrapper scripts in private temporary folders that log to a host file,
// which the sandbox for repository code hides (tests/security-sandbox.test.ts covers it).
process.env.SELFREVIEW_SANDBOX = 'off';

const SETTINGS = scanSettingsFrom(defaultRepoConfig());
const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, types: [] }, include: ['src'] });

/** An unused import, an unused local, an undefined name and an unused parameter, one a line. */
const ORDINARY = {
  'src/a.ts':
    "import { b } from './b';\nconst unusedLocal = 1;\nexport const y = missingName;\nexport function f(p: number) {\n  return 1;\n}\n",
  'src/b.ts': 'export const b = 1;\n',
};
const ORDINARY_FINDINGS = [
  'undefined-identifier src/a.ts:3',
  'unused-import src/a.ts:1',
  'unused-local src/a.ts:2',
  'unused-parameter src/a.ts:4',
];

/** 8 bytes of binary data: the compiler reads each control character as a syntax error. */
const BINARY = '\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007';

/** About 2 MiB of a bundle cut short: past the scan's size limit, and it does not parse. */
function truncatedBundle(): string {
  const lines: string[] = ['// a bundle cut short'];
  for (let i = 0; lines.length * 30 < 2 * 1024 * 1024; i++) lines.push(`export const value${i} = ${i};`);
  lines.push('export const cut = {');
  return `${lines.join('\n')}\n`;
}

/** The real native compiler behind a script that appends each run's `-p` config to a log. */
async function loggingCompiler(): Promise<{ tscPath: string; runs: () => Promise<string[]> }> {
  const real = await findNativeTsc();
  if (real === null) throw new Error('the native compiler is not installed for this platform');
  const dir = await tempDir('selfreview-logging-tsc-');
  const log = path.join(dir, 'runs.log');
  const script = path.join(dir, 'tsc');
  await writeFile(log, '');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      'prev=',
      'for arg in "$@"; do',
      `  if [ "$prev" = "-p" ]; then printf '%s\\n' "$arg" >> '${log}'; fi`,
      '  prev=$arg',
      'done',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return {
    tscPath: script,
    // Snapshot folders have random names: keep the config's path inside the snapshot.
    runs: async () =>
      (await readFile(log, 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.replace(/^.*\/snapshot-[^/]+\//, '')),
  };
}

async function scanWith(dir: string, tscPath: string | null): Promise<ScanOutcome> {
  const repo = await Repository.open(dir);
  const { sha } = await repo.head();
  const workDir = await tempDir('selfreview-scan-work-');
  try {
    return await fullScan(repo, sha, SETTINGS, { workDir, tscPath, timeoutMs: 120_000 });
  } finally {
    await removeDir(workDir);
  }
}

const semanticFindings = (o: ScanOutcome) =>
  o.candidates
    .filter((c) => c.rule.startsWith('unused-') || c.rule === 'undefined-identifier')
    .map((c) => `${c.rule} ${c.file}:${c.line}`)
    .sort();

describe('a full scan with skipped and unparsable files', () => {
  it.each(['native', 'javascript'] as const)(
    'still reports every semantic finding of the other files, once (%s compiler)',
    async (engine) => {
      const dir = await makeRepo({
        'tsconfig.json': TSCONFIG,
        ...ORDINARY,
        'src/binary.ts': BINARY,
        'src/bundle.ts': truncatedBundle(),
        'src/broken.ts': 'export const = ;\n',
      });
      const compiler = engine === 'native' ? await loggingCompiler() : null;
      const outcome = await scanWith(dir, compiler?.tscPath ?? null);
      expect(outcome.engine).toBe(engine);
      expect(semanticFindings(outcome)).toEqual(ORDINARY_FINDINGS);
      expect(outcome.errors).toEqual([]);
      expect(outcome.files).toBe(2);
      const warnings = outcome.warnings.join('\n');
      expect(warnings).toMatch(/^src\/binary\.ts: skipped \(binary content\)$/m);
      expect(warnings).toMatch(/^src\/bundle\.ts: skipped \(larger than 1048576 bytes\)$/m);
      expect(warnings).toMatch(/^src\/broken\.ts:1: syntax error .*file skipped$/m);
      if (compiler) {
        // The skipped files were out of the compiler's way from the start; the file that
        // does not parse is found while the compiler runs, and costs one more run.
        expect(await compiler.runs()).toEqual([
          'tsconfig.selfreview-scan.json',
          'tsconfig.selfreview-scan.json',
        ]);
      }
      await removeDir(dir);
    },
  );

  it('runs the native compiler once when only skipped files would have stopped it', async () => {
    const dir = await makeRepo({
      'tsconfig.json': TSCONFIG,
      ...ORDINARY,
      'src/binary.ts': BINARY,
      'src/bundle.ts': truncatedBundle(),
    });
    const compiler = await loggingCompiler();
    const outcome = await scanWith(dir, compiler.tscPath);
    expect(semanticFindings(outcome)).toEqual(ORDINARY_FINDINGS);
    expect(outcome.errors).toEqual([]);
    expect(await compiler.runs()).toEqual(['tsconfig.selfreview-scan.json']);
    await removeDir(dir);
  });

  it('leaves a skipped file that parses to the compiler, for the declarations others use', async () => {
    const dir = await makeRepo({
      'tsconfig.json': TSCONFIG,
      'src/generated/env.ts':
        '// @generated by a code generator\ndeclare global {\n  var fromGenerated: number;\n}\nexport {};\n',
      'src/use.ts': 'export const doubled = fromGenerated * 2;\nexport const gone = notDeclaredAnywhere;\n',
    });
    const outcome = await scanWith(dir, await findNativeTsc());
    expect(outcome.warnings).toContain('src/generated/env.ts: skipped (generated)');
    expect(semanticFindings(outcome)).toEqual(['undefined-identifier src/use.ts:2']);
    expect(outcome.errors).toEqual([]);
    await removeDir(dir);
  });
});

describe('semantic rules off for a project, for a reason the scan cannot remove', () => {
  it('is an error of the run naming the project and the cause, and the other projects are still checked', async () => {
    const dir = await makeRepo({
      '.gitignore': 'node_modules\n',
      'package.json': '{ "name": "root", "private": true }\n',
      // An installed dependency whose declarations do not parse.
      'packages/app/tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, types: [], module: 'preserve', moduleResolution: 'bundler' },
        include: ['src'],
      }),
      'packages/app/src/main.ts': "import { dep } from 'dep';\nconst unusedInApp = dep;\nexport {};\n",
      // A type library that is not installed.
      'packages/server/tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, types: ['node'] },
        include: ['src'],
      }),
      'packages/server/src/server.ts': 'const unusedInServer = 1;\nexport {};\n',
      'packages/lib/tsconfig.json': TSCONFIG,
      'packages/lib/src/lib.ts': 'const unusedInLib = 1;\nexport const y = missingInLib;\n',
    });
    const dep = path.join(dir, 'node_modules/dep');
    await mkdir(dep, { recursive: true });
    await writeFile(path.join(dep, 'package.json'), '{ "name": "dep", "types": "index.d.ts" }\n');
    await writeFile(path.join(dep, 'index.d.ts'), 'export declare const dep: ;\n');

    const compiler = await loggingCompiler();
    const outcome = await scanWith(dir, compiler.tscPath);
    expect(outcome.errors).toEqual([
      'semantic rules off for project packages/app/tsconfig.json: node_modules/dep/index.d.ts has a syntax error the scan could not remove (TS1110 at line 1: Type expected); 1 file(s) not checked',
      "semantic rules off for project packages/server/tsconfig.json: the compiler stopped before type checking (TS2688: Cannot find type definition file for 'node'); 1 file(s) not checked",
    ]);
    expect(semanticFindings(outcome)).toEqual([
      'undefined-identifier packages/lib/src/lib.ts:2',
      'unused-local packages/lib/src/lib.ts:1',
    ]);
    // Unchecked files are errors, not also counted among files outside every project.
    expect(outcome.warnings.join('\n')).not.toMatch(/in no tsconfig's program/);
    // The dependency's syntax error, which the scan's parser finds too, shows the compiler
    // stopped; only the missing type library took a second run (with phase times) to tell.
    expect(await compiler.runs()).toEqual([
      'packages/app/tsconfig.selfreview-scan.json',
      'packages/lib/tsconfig.selfreview-scan.json',
      'packages/server/tsconfig.selfreview-scan.json',
      'packages/server/tsconfig.selfreview-scan.json',
    ]);

    // `selfreview scan` exits 1 and prints each as an error.
    const cli = await runCli(['scan', dir], {});
    expect(cli.code).toBe(1);
    expect(cli.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual(
      outcome.errors.map((e) => `error: ${e}`),
    );
    await removeDir(dir);
  });

  it("is no error when the only errors are the checker's own, in the syntax range", async () => {
    const dir = await makeRepo({
      'tsconfig.json': TSCONFIG,
      // TS1308, reported by the checker: its report alone cannot tell it from a parse error.
      'src/a.ts': 'export function h() {\n  await Promise.resolve(1);\n}\n',
    });
    const compiler = await loggingCompiler();
    const outcome = await scanWith(dir, compiler.tscPath);
    expect(outcome.errors).toEqual([]);
    expect(outcome.warnings.join('\n')).not.toMatch(/checked nothing|in no tsconfig's program/);
    // The second run, with phase times, showed that the compiler did check.
    expect(await compiler.runs()).toEqual(['tsconfig.selfreview-scan.json', 'tsconfig.selfreview-scan.json']);
    await removeDir(dir);
  });

  it('is only a warning when another project checked every file of the stopped one', async () => {
    const dir = await makeRepo({
      // The root project covers the package's file; the package's own config wants a
      // type library that is not installed.
      'tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, types: [] },
        include: ['packages'],
      }),
      'packages/lib/tsconfig.json': JSON.stringify({
        compilerOptions: { types: ['node'] },
        include: ['src'],
      }),
      'packages/lib/src/lib.ts': 'const unusedInLib = 1;\nexport {};\n',
    });
    const outcome = await scanWith(dir, await findNativeTsc());
    expect(outcome.errors).toEqual([]);
    expect(semanticFindings(outcome)).toEqual(['unused-local packages/lib/src/lib.ts:1']);
    expect(outcome.warnings).toContain(
      "packages/lib/tsconfig.json: the compiler checked nothing of it: the compiler stopped before type checking (TS2688: Cannot find type definition file for 'node'); every file of it was checked by another project",
    );
    await removeDir(dir);
  });
});

describe('a push scan with skipped and unparsable files in the repository', () => {
  it.each(['native', 'javascript'] as const)(
    'reports every semantic finding of the pushed file (%s checker)',
    async (checker) => {
      const dir = await makeRepo({
        'tsconfig.json': TSCONFIG,
        ...ORDINARY,
        'src/binary.ts': BINARY,
        'src/bundle.ts': truncatedBundle(),
        'src/broken.ts': 'export const = ;\n',
      });
      const repo = await Repository.open(dir);
      const cache = new WarmCache(1, checker);
      try {
        const outcome = await pushScan(
          cache,
          repo,
          (await repo.head()).sha,
          ['src/a.ts', 'src/binary.ts', 'src/bundle.ts', 'src/broken.ts'],
          SETTINGS,
        );
        expect(semanticFindings(outcome)).toEqual(ORDINARY_FINDINGS);
        expect(outcome.errors).toEqual([]);
        const warnings = outcome.warnings.join('\n');
        expect(warnings).toMatch(/^src\/binary\.ts: skipped \(binary content\)$/m);
        expect(warnings).toMatch(/^src\/bundle\.ts: skipped \(larger than 1048576 bytes\)$/m);
        expect(warnings).toMatch(/^src\/broken\.ts:1: syntax error .*file skipped$/m);
      } finally {
        cache.clear();
        await removeDir(dir);
      }
    },
  );
});
