/**
 * A full scan whose compiler run fails for one project (fixture: tests/fixtures/scan-root-project,
 * a root tsconfig that includes every file, like zod's, and a package with its own). The
 * failure is deterministic: the compiler is started through a script that kills itself with
 * SIGKILL, as the kernel's OOM killer does, when it is given one of the named configs, and
 * otherwise runs the real native compiler. Through the CLI, a very low time limit
 * (SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS) makes every run fail by time instead.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findNativeTsc, fullScan, type ScanOutcome, scanSettingsFrom } from '@selfreview/scan';
import { defaultRepoConfig } from '@selfreview/shared/config';
import { RunReport } from '@selfreview/shared/schemas';
import { Repository } from '@selfreview/shared/workspace';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { FIXTURES, makeRepo, removeDir, tempDir } from './helpers/git.ts';
import { cleanPrefix, connect, testRedisUrl, uniquePrefix } from './helpers/redis.ts';

// The compiler here is a wrapper script in a private temporary folder, which the sandbox for
// repository code does not show (tests/security-sandbox.test.ts covers it): run without it.
process.env.SELFREVIEW_SANDBOX = 'off';

const SETTINGS = scanSettingsFrom(defaultRepoConfig());
const FIXTURE = path.join(FIXTURES, 'scan-root-project');

/** A compiler that is killed when one of its arguments (the `-p` config) matches `killed`, an ERE. */
async function compilerKilledOn(killed: string): Promise<string> {
  const real = await findNativeTsc();
  if (real === null) throw new Error('the native compiler is not installed for this platform');
  const dir = await tempDir('selfreview-killed-tsc-');
  const script = path.join(dir, 'tsc');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      'for arg in "$@"; do',
      `  if printf '%s\\n' "$arg" | grep -Eq '${killed}'; then kill -KILL $$; fi`,
      'done',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return script;
}

async function scanWith(dir: string, tscPath: string): Promise<ScanOutcome> {
  const repo = await Repository.open(dir);
  const { sha } = await repo.head();
  return fullScan(repo, sha, SETTINGS, {
    workDir: await tempDir('selfreview-scan-work-'),
    tscPath,
    timeoutMs: 120_000,
    retryTimeoutMs: 120_000,
  });
}

const semanticFindings = (o: ScanOutcome) =>
  o.candidates
    .filter((c) => c.rule.startsWith('unused-') || c.rule === 'undefined-identifier')
    .map((c) => `${c.rule} ${c.file}:${c.line}`)
    .sort();

describe('a project the compiler is killed on', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await makeRepo(FIXTURE);
    return () => removeDir(repo);
  });

  it('checks the files no other project covers again, in smaller programs, and loses nothing', async () => {
    const outcome = await scanWith(repo, await compilerKilledOn('tsconfig\\.selfreview-scan\\.json$'));
    // Every project's full run was killed; the retries (their own config name) were not.
    expect(semanticFindings(outcome)).toEqual([
      'unused-local packages/lib/src/lib.ts:1',
      'unused-local scripts/build.ts:1',
      'unused-parameter tools/check.ts:1',
    ]);
    expect(outcome.errors).toEqual([]);
    expect(outcome.warnings).toEqual(
      expect.arrayContaining([
        'packages/lib/tsconfig.json: the compiler exited with SIGKILL; its 1 file(s) no other project checks were checked again in 1 smaller program(s)',
        'tsconfig.json: the compiler exited with SIGKILL; its 2 file(s) no other project checks were checked again in 2 smaller program(s)',
      ]),
    );
  });

  it('needs no retry for a project whose files the other projects checked', async () => {
    // The root project's own run succeeds and covers the package's file.
    const outcome = await scanWith(
      repo,
      await compilerKilledOn('/packages/lib/tsconfig\\.selfreview-scan\\.json$'),
    );
    expect(semanticFindings(outcome)).toContain('unused-local packages/lib/src/lib.ts:1');
    expect(outcome.errors).toEqual([]);
    expect(outcome.warnings).toContain(
      'packages/lib/tsconfig.json: the compiler exited with SIGKILL; every file of it was checked by another project',
    );
  });

  it('reports what the retry could not check as an error of the run, and still checks the other project', async () => {
    const outcome = await scanWith(
      repo,
      await compilerKilledOn('tsconfig\\.selfreview-(scan|retry)\\.json$'),
    );
    // Every run killed: the package's file is lost to both projects that include it.
    expect(outcome.errors).toEqual([
      'semantic rules did not run for 1 file(s) of project packages/lib/tsconfig.json: the compiler exited with SIGKILL; retried in 1 smaller program(s) with a 120 s limit: the compiler exited with SIGKILL',
      'semantic rules did not run for 3 file(s) of project tsconfig.json: the compiler exited with SIGKILL; retried in 2 smaller program(s) with a 120 s limit: the compiler exited with SIGKILL',
    ]);
    expect(semanticFindings(outcome)).toEqual([]);
    // Lost files are errors, not also counted among files outside every project.
    expect(outcome.warnings.join('\n')).not.toMatch(/in no tsconfig's program/);
  });

  it('keeps the package checked when only the root project and its retries are killed', async () => {
    const outcome = await scanWith(
      repo,
      // The root's configs sit at the top of the snapshot folder (`snapshot-<uuid>/`).
      await compilerKilledOn('/snapshot-[^/]+/tsconfig\\.selfreview-(scan|retry)\\.json$'),
    );
    expect(outcome.errors).toEqual([
      'semantic rules did not run for 2 file(s) of project tsconfig.json: the compiler exited with SIGKILL; retried in 2 smaller program(s) with a 120 s limit: the compiler exited with SIGKILL',
    ]);
    expect(semanticFindings(outcome)).toEqual(['unused-local packages/lib/src/lib.ts:1']);
  });
});

describe('selfreview scan when the compiler fails', () => {
  it('prints the lost projects as errors and exits 1; --json carries them in errors[]', async () => {
    const repo = await makeRepo(FIXTURE);
    const env = { SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS: '0.001' };
    const text = await runCli(['scan', repo], env);
    expect(text.code).toBe(1);
    const errorLines = text.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errorLines).toEqual([
      'error: semantic rules did not run for 1 file(s) of project packages/lib/tsconfig.json: the compiler ran past its 1 ms limit; retried in 1 smaller program(s) with a 2 ms limit: the compiler ran past its 2 ms limit',
      'error: semantic rules did not run for 3 file(s) of project tsconfig.json: the compiler ran past its 1 ms limit; retried in 2 smaller program(s) with a 2 ms limit: the compiler ran past its 2 ms limit',
    ]);
    // The syntactic rules still ran.
    expect(text.stdout).toMatch(/candidate\(s\) in 3 file\(s\)/);

    const json = await runCli(['scan', repo, '--json'], env);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { errors: string[] };
    expect(out.errors).toHaveLength(2);

    const healthy = await runCli(['scan', repo, '--json'], {});
    expect(healthy.code).toBe(0);
    expect((JSON.parse(healthy.stdout) as { errors: string[] }).errors).toEqual([]);
    await removeDir(repo);
  });
});

describe('selfreview run when the compiler fails', () => {
  it("records the lost projects in the report's errors[] and shows them in the summary", async () => {
    const repo = await makeRepo(FIXTURE);
    const dataDir = await tempDir();
    const prefix = uniquePrefix('lost');
    const reportFile = path.join(dataDir, 'report.json');
    const res = await runCli(['run', repo, '--report', reportFile], {
      REDIS_URL: testRedisUrl(),
      SELFREVIEW_PREFIX: prefix,
      SELFREVIEW_DATA_DIR: dataDir,
      SELFREVIEW_SCAN_COMPILER_TIMEOUT_SECONDS: '0.001',
    });
    const report = RunReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    expect(report.errors).toEqual([
      expect.stringMatching(
        /^semantic rules did not run for 1 file\(s\) of project packages\/lib\/tsconfig\.json: /,
      ),
      expect.stringMatching(/^semantic rules did not run for 3 file\(s\) of project tsconfig\.json: /),
    ]);
    const summary = res.stdout.split('\n');
    const at = summary.indexOf('Errors (the run is incomplete):');
    expect(at, res.stdout).toBeGreaterThan(0);
    expect(summary[at + 1]).toMatch(
      /^ {2}semantic rules did not run for 1 file\(s\) of project packages\/lib/,
    );
    const redis = connect('producer');
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await removeDir(repo);
    await removeDir(dataDir);
  });
});
