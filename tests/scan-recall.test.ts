/**
 * Scan's job is to miss nothing. Known defects are injected into copies of real corpus
 * files (rxjs 7.8.2, see tests/fixtures/corpus) and scan must report every one where it
 * was put; and the native compiler's own unused diagnostics on that corpus must each be
 * matched by one of scan's unused findings, in the full scan and in both warm engines.
 */

import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { evidenceOf } from '@selfreview/checks';
import {
  findNativeTsc,
  fullScan,
  pushScan,
  type ScanOutcome,
  scanSettingsFrom,
  WarmCache,
} from '@selfreview/scan';
import { defaultRepoConfig } from '@selfreview/shared/config';
import type { Candidate } from '@selfreview/shared/schemas';
import { parseTscOutput } from '@selfreview/shared/tsc-output';
import { Repository } from '@selfreview/shared/workspace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeRepo, tempDir } from './helpers/git.ts';

const exec = promisify(execFile);
const CORPUS = path.join(FIXTURES, 'corpus', 'rxjs-7.8.2');
const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      strict: true,
      target: 'es2022',
      module: 'commonjs',
      types: [],
      lib: ['es2022', 'dom'],
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

/** One injected defect: the rule that must report it, the name, and a marker for its line. */
interface Defect {
  rule: Candidate['rule'];
  name: string;
  /** Text on the defect's line, unique in the file. */
  marker: string;
}

const IMPORTS = [
  "import isFunctionDefault from './util/isFunction'; // default",
  "import { arrRemove as removeFromArray } from './util/arrRemove'; // aliased",
  "import * as pipeModule from './util/pipe'; // namespace",
  "import type { UnaryFunction } from './types'; // import type",
  "import { type OperatorFunction, identity } from './util/identity_and_types'; // inline type",
  "import noopRequired = require('./util/noop'); // import-equals",
  "import { not } from './util/not'; // named",
].join('\n');

const BODY = `
// TODO: make teardown ordering configurable
/* FIXME: the error list can grow without bound */
/** HACK: cast until the types line up */
// XXX remove once the old scheduler is gone
function injectedHelper(used: number, unusedParam: string, _intended: boolean) {
  const unusedVariable = used * 2; // unused variable
  const { picked, ignored } = { picked: 1, ignored: 2 }; // destructured
  const { gone1, gone2 } = { gone1: 1, gone2: 2 }; // all destructured
  function unusedInnerFunction() {} // unused function
  class UnusedInnerClass {} // unused class
  type UnusedAlias = string; // unused type
  enum UnusedEnum { A } // unused enum
  return used + picked + undefinedThing; // undefined name
}
export const injectedResult = injectedHelper(1, 'x', true);
`;

const DEFECTS: Defect[] = [
  { rule: 'unused-import', name: 'isFunctionDefault', marker: '// default' },
  { rule: 'unused-import', name: 'removeFromArray', marker: '// aliased' },
  { rule: 'unused-import', name: 'pipeModule', marker: '// namespace' },
  { rule: 'unused-import', name: 'UnaryFunction', marker: '// import type' },
  { rule: 'unused-import', name: 'OperatorFunction', marker: '// inline type' },
  { rule: 'unused-import', name: 'identity', marker: '// inline type' },
  { rule: 'unused-import', name: 'noopRequired', marker: '// import-equals' },
  { rule: 'unused-import', name: 'not', marker: '// named' },
  { rule: 'unused-parameter', name: 'unusedParam', marker: 'function injectedHelper(' },
  { rule: 'unused-local', name: 'unusedVariable', marker: '// unused variable' },
  { rule: 'unused-local', name: 'ignored', marker: '// destructured' },
  { rule: 'unused-local', name: 'gone1', marker: '// all destructured' },
  { rule: 'unused-local', name: 'gone2', marker: '// all destructured' },
  { rule: 'unused-local', name: 'unusedInnerFunction', marker: '// unused function' },
  { rule: 'unused-local', name: 'UnusedInnerClass', marker: '// unused class' },
  { rule: 'unused-local', name: 'UnusedAlias', marker: '// unused type' },
  { rule: 'unused-local', name: 'UnusedEnum', marker: '// unused enum' },
  { rule: 'undefined-identifier', name: 'undefinedThing', marker: '// undefined name' },
  { rule: 'todo-comment', name: 'TODO', marker: '// TODO: make teardown' },
  { rule: 'todo-comment', name: 'FIXME', marker: '/* FIXME: the error' },
  { rule: 'todo-comment', name: 'HACK', marker: '/** HACK: cast' },
  { rule: 'todo-comment', name: 'XXX', marker: '// XXX remove once' },
];

const INJECTED_FILE = 'src/internal/Subscription.ts';
let repoDir: string;
let sha: string;
let injectedText: string;
let full: ScanOutcome;
let native: { file: string; line: number; code: number; message: string }[];

function nameOf(c: Candidate): string {
  const e = evidenceOf(c);
  return e.kind === 'todo-comment' ? e.tag : 'name' in e ? e.name : '';
}

function lineOf(text: string, marker: string): number {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.includes(marker));
  if (index < 0) throw new Error(`marker not in the injected file: ${marker}`);
  if (lines.findIndex((l, i) => i > index && l.includes(marker)) >= 0) {
    throw new Error(`marker not unique: ${marker}`);
  }
  return index + 1;
}

beforeAll(async () => {
  const original = await readFile(path.join(CORPUS, INJECTED_FILE), 'utf8');
  // Imports go below the file's own, the body at the end: real code around both.
  const lines = original.split('\n');
  const lastImport = lines.reduce((last, l, i) => (l.startsWith('import ') ? i : last), -1);
  lines.splice(lastImport + 1, 0, IMPORTS);
  injectedText = `${lines.join('\n')}\n${BODY}`;
  repoDir = await makeRepo(CORPUS);
  await writeFile(path.join(repoDir, INJECTED_FILE), injectedText);
  await writeFile(path.join(repoDir, 'tsconfig.json'), TSCONFIG);
  // `identity_and_types` re-exports one value and one type, for the inline `type` form.
  await writeFile(
    path.join(repoDir, 'src/internal/util/identity_and_types.ts'),
    "export { identity } from './identity';\nexport type { OperatorFunction } from '../types';\n",
  );
  await exec('git', ['-C', repoDir, 'add', '--all']);
  await exec('git', [
    '-C',
    repoDir,
    '-c',
    'user.name=t',
    '-c',
    'user.email=t@localhost',
    'commit',
    '-qm',
    'inject',
  ]);
  const repo = await Repository.open(repoDir);
  sha = (await repo.head()).sha;

  const tscPath = await findNativeTsc();
  if (!tscPath) throw new Error('the native compiler (typescript@7) is not installed');
  const workDir = await tempDir('selfreview-recall-');
  full = await fullScan(repo, sha, scanSettingsFrom(defaultRepoConfig()), {
    workDir,
    tscPath,
    timeoutMs: 120_000,
  });
  await rm(workDir, { recursive: true, force: true });

  // The reference: the native compiler run by hand, on the same files, the flags.
  const run = await exec(
    tscPath,
    ['-p', 'tsconfig.json', '--noEmit', '--noUnusedLocals', '--noUnusedParameters', '--pretty', 'false'],
    {
      cwd: repoDir,
    },
  ).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  native = parseTscOutput(run.stdout, repoDir)
    .filter((d) => [6133, 6192, 6196, 6198].includes(d.code))
    .map((d) => ({ file: d.file as string, line: d.line, code: d.code, message: d.message }));
}, 120_000);

afterAll(async () => {
  if (repoDir) await rm(repoDir, { recursive: true, force: true });
});

describe('scan recall: injected defects', () => {
  it.each(DEFECTS)('reports $rule $name where it was injected', (defect) => {
    const line = lineOf(injectedText, defect.marker);
    const found = full.candidates.filter(
      (c) => c.file === INJECTED_FILE && c.rule === defect.rule && nameOf(c) === defect.name,
    );
    expect(found.map((c) => ({ line: c.line }))).toContainEqual({ line });
  });

  it('does not report the parameter whose name starts with _', () => {
    expect(full.candidates.filter((c) => nameOf(c) === '_intended')).toEqual([]);
  });
});

function covers(candidates: readonly Candidate[], d: { file: string; line: number }): boolean {
  return candidates.some(
    (c) => c.rule.startsWith('unused-') && c.file === d.file && c.line <= d.line && d.line <= c.endLine,
  );
}

describe("scan recall: a superset of the native compiler's unused diagnostics", () => {
  it('has diagnostics to compare with (the check is not vacuous)', () => {
    expect(native.length).toBeGreaterThanOrEqual(12);
    expect(new Set(native.map((d) => d.code))).toEqual(new Set([6133, 6192, 6196, 6198]));
  });

  it('full scan (native compiler) reports every one', () => {
    expect(native.filter((d) => !covers(full.candidates, d))).toEqual([]);
  });

  it.each(['native', 'javascript'] as const)(
    'push scan on a warm %s checker reports every one',
    async (checker) => {
      const cache = new WarmCache(1, checker);
      try {
        const repo = await Repository.open(repoDir);
        const files = [...new Set(native.map((d) => d.file))];
        const push = await pushScan(cache, repo, sha, files, scanSettingsFrom(defaultRepoConfig()));
        expect(push.engine).toBe('warm');
        expect(native.filter((d) => !covers(push.candidates, d))).toEqual([]);
      } finally {
        cache.clear();
      }
    },
  );
});
