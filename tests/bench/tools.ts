/**
 * The tools under comparison: how each is started on a corpus repository and how its output is
 * read into a findings count. Every tool runs as its own child process with the corpus repository
 * as working directory.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findNativeTsc } from '@selfreview/scan';
import { BUILT_CLI, build } from '../helpers/build.ts';
import type { ProcessMeasurement } from './measure.ts';

export const TOOL_IDS = ['tsc', 'eslint', 'selfreview'] as const;
export type ToolId = (typeof TOOL_IDS)[number];

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TESTS_DIR = fileURLToPath(new URL('../', import.meta.url));
const SCAN_SERVICE_DIR = path.join(REPO_ROOT, 'services/scan');

export type Outcome =
  | { ok: true; findings: number; details?: Record<string, unknown> }
  | { ok: false; error: string; details?: Record<string, unknown> };

export type Tool = {
  id: ToolId;
  label: string;
  version: string;
  /** Things a reader of the results must know about how the tool was run. */
  notes: string[];
  /** Set when the tool could not be prepared; its rows are reported as failed without running. */
  setupError?: string;
  command(repo: string): { command: string; args: string[]; env?: NodeJS.ProcessEnv };
  interpret(run: ProcessMeasurement): Outcome;
  dispose(): Promise<void>;
};

export async function setUpTools(ids: readonly ToolId[]): Promise<Tool[]> {
  const tools: Tool[] = [];
  for (const id of ids) {
    try {
      tools.push(await SET_UP[id]());
    } catch (err) {
      tools.push(brokenTool(id, err instanceof Error ? err.message : String(err)));
    }
  }
  return tools;
}

const SET_UP: Record<ToolId, () => Promise<Tool>> = {
  tsc: setUpNativeTsc,
  eslint: setUpEslint,
  selfreview: setUpSelfreview,
};

/**
 * typescript@7 (the native compiler), run as its executable rather than through the node
 * launcher: the executable scan's full scans run.
 */
async function setUpNativeTsc(): Promise<Tool> {
  const require = createRequire(path.join(SCAN_SERVICE_DIR, 'package.json'));
  const version = await packageVersion(require.resolve('typescript-native/package.json'));
  const exe = await findNativeTsc();
  if (exe === null) throw new Error(`typescript ${version} has no native executable for this platform`);
  return {
    id: 'tsc',
    label: `tsc ${version} (native)`,
    version,
    notes: [`${exe} -p tsconfig.json --noEmit --noUnusedLocals --noUnusedParameters --pretty false`],
    command: () => ({
      command: exe,
      args: [
        '-p',
        'tsconfig.json',
        '--noEmit',
        '--noUnusedLocals',
        '--noUnusedParameters',
        '--pretty',
        'false',
      ],
    }),
    interpret: interpretTsc,
    dispose: async () => {},
  };
}

export function interpretTsc(run: ProcessMeasurement): Outcome {
  const byCode: Record<string, number> = {};
  let findings = 0;
  for (const line of run.stdout.split('\n')) {
    const match = /\berror (TS\d+):/.exec(line);
    if (!match) continue;
    findings += 1;
    byCode[match[1]!] = (byCode[match[1]!] ?? 0) + 1;
  }
  const details = { byCode };
  if (run.timedOut || run.signal !== null) return { ok: false, error: endedEarly(run), details };
  // 1 and 2 mean "diagnostics reported"; anything else is the compiler failing.
  if (run.exitCode !== 0 && run.exitCode !== 1 && run.exitCode !== 2) {
    return { ok: false, error: `exit ${run.exitCode}: ${tail(run.stderr || run.stdout)}`, details };
  }
  // TS5xxx are option errors and TS18003 "no inputs": the program was never checked.
  const configError = Object.keys(byCode).find((code) => /^TS5\d{3}$|^TS18003$/.test(code));
  if (configError !== undefined) {
    return { ok: false, error: `tsconfig rejected (${configError}): ${tail(run.stdout)}`, details };
  }
  return { ok: true, findings, details };
}

/** The lint rules of docs/anchors.md, with no type information. */
export const ESLINT_RULES = {
  'no-unused-vars': 'error',
  'no-warning-comments': 'error',
  'max-lines-per-function': ['error', { max: 80 }],
  'max-depth': ['error', { max: 4 }],
} as const;

/** ESLint only picks files its config has a `files` entry for; .d.ts files are left out. */
export const ESLINT_PATTERN = 'src/**/*.{ts,tsx,mts,cts}';

/**
 * ESLint 10 with @typescript-eslint/parser, from the tests package's devDependencies. The flat
 * config lives in a temporary folder outside the corpus; with `--config` ESLint resolves `files`
 * patterns against the working directory, which is the corpus repository.
 */
async function setUpEslint(): Promise<Tool> {
  const require = createRequire(path.join(TESTS_DIR, 'package.json'));
  const eslintPkg = require.resolve('eslint/package.json');
  const eslintVersion = await packageVersion(eslintPkg);
  const eslintBin = path.join(path.dirname(eslintPkg), 'bin/eslint.js');
  const parserMain = require.resolve('@typescript-eslint/parser');
  const parserVersion = await packageVersion(require.resolve('@typescript-eslint/parser/package.json'));

  const dir = await mkdtemp(path.join(os.tmpdir(), 'selfreview-bench-eslint-'));
  const notes = [
    `rules ${Object.keys(ESLINT_RULES).join(', ')}; parser @typescript-eslint/parser ${parserVersion} without type information; one thread (ESLint's default --concurrency off)`,
    `node ${eslintBin} --config <tmp>/eslint.config.mjs --format json --no-warn-ignored '${ESLINT_PATTERN}'`,
  ];
  const nodeArgs: string[] = [];
  const redirect = await typescriptRedirect(parserMain);
  if (redirect !== undefined) {
    const hook = path.join(dir, 'typescript-redirect.cjs');
    await writeFile(hook, redirectHook(redirect.target));
    nodeArgs.push('--require', hook);
    notes.push(redirect.note);
  }
  const configFile = path.join(dir, 'eslint.config.mjs');
  await writeFile(configFile, eslintConfig(pathToFileURL(parserMain).href));

  return {
    id: 'eslint',
    label: `ESLint ${eslintVersion}`,
    version: eslintVersion,
    notes,
    command: () => ({
      command: process.execPath,
      args: [
        ...nodeArgs,
        eslintBin,
        '--config',
        configFile,
        '--format',
        'json',
        '--no-warn-ignored',
        ESLINT_PATTERN,
      ],
    }),
    interpret: interpretEslint,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

function eslintConfig(parserUrl: string): string {
  return `// Generated by tests/bench/tools.ts for the scan benchmark.
import parser from ${JSON.stringify(parserUrl)};

export default [
  { ignores: ['**/*.d.ts', '**/*.d.mts', '**/*.d.cts'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    languageOptions: { parser, ecmaVersion: 'latest', sourceType: 'module' },
    // Corpora carry disable comments for rules not loaded here; reporting those is not linting.
    linterOptions: { reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
    rules: ${JSON.stringify(ESLINT_RULES)},
  },
];
`;
}

/**
 * typescript-eslint 8 refuses the TypeScript 7 package (it has no JavaScript compiler API), yet
 * pnpm resolved the parser's `typescript` peer to 7.x here. When that happens the ESLint process
 * gets a preload hook that resolves `typescript` to the workspace root's TypeScript (6.x).
 */
async function typescriptRedirect(parserMain: string): Promise<{ target: string; note: string } | undefined> {
  const fromParser = createRequire(parserMain);
  const estree = fromParser.resolve('@typescript-eslint/typescript-estree');
  const peerVersion = await packageVersion(createRequire(estree).resolve('typescript/package.json'));
  if (major(peerVersion) < 7) return undefined;
  const fromRoot = createRequire(path.join(REPO_ROOT, 'package.json'));
  const rootVersion = await packageVersion(fromRoot.resolve('typescript/package.json'));
  if (major(rootVersion) >= 7) {
    throw new Error(
      `@typescript-eslint/parser resolves typescript ${peerVersion}, which it does not support, and the root has no TypeScript < 7 to use instead`,
    );
  }
  return {
    target: fromRoot.resolve('typescript'),
    note: `the parser's typescript peer resolves to ${peerVersion} (unsupported by typescript-eslint); ESLint runs with \`typescript\` redirected to the root's ${rootVersion}`,
  };
}

function redirectHook(target: string): string {
  return `// Generated by tests/bench/tools.ts: resolve \`typescript\` to a version typescript-eslint supports.
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'typescript') return ${JSON.stringify(target)};
  return resolve.call(this, request, ...rest);
};
`;
}

type EslintFileResult = { messages: { ruleId: string | null; fatal?: boolean }[] };

export function interpretEslint(run: ProcessMeasurement): Outcome {
  if (run.timedOut || run.signal !== null) return { ok: false, error: endedEarly(run) };
  // 1 means "problems found"; 2 is a configuration or internal error.
  if (run.exitCode !== 0 && run.exitCode !== 1) {
    return { ok: false, error: `exit ${run.exitCode}: ${tail(run.stderr || run.stdout)}` };
  }
  let results: EslintFileResult[];
  try {
    results = JSON.parse(run.stdout) as EslintFileResult[];
  } catch {
    return { ok: false, error: `output is not JSON: ${tail(run.stderr || run.stdout)}` };
  }
  const byRule: Record<string, number> = {};
  let findings = 0;
  for (const file of results) {
    for (const message of file.messages) {
      findings += 1;
      const rule = message.ruleId ?? (message.fatal ? 'parse error' : 'other');
      byRule[rule] = (byRule[rule] ?? 0) + 1;
    }
  }
  if (results.length === 0) return { ok: false, error: 'ESLint linted no files' };
  return { ok: true, findings, details: { files: results.length, byRule } };
}

/**
 * `selfreview scan <repo> --json` as people run it: `./selfreview` runs the built CLI
 * (packages/cli/dist), so the benchmark builds first (turbo: about a second when nothing changed).
 */
async function setUpSelfreview(): Promise<Tool> {
  await build();
  const version = await packageVersion(path.join(REPO_ROOT, 'packages/cli/package.json'));
  return {
    id: 'selfreview',
    label: 'selfreview scan',
    version,
    notes: [`node ${path.relative(REPO_ROOT, BUILT_CLI)} scan <repo> --json`],
    command: (repo) => ({
      command: process.execPath,
      args: [BUILT_CLI, 'scan', repo, '--json'],
    }),
    interpret: interpretSelfreview,
    dispose: async () => {},
  };
}

export function interpretSelfreview(run: ProcessMeasurement): Outcome {
  if (run.timedOut || run.signal !== null) return { ok: false, error: endedEarly(run) };
  if (run.exitCode !== 0)
    return { ok: false, error: `exit ${run.exitCode}: ${tail(run.stderr || run.stdout)}` };
  let report: unknown;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    if (run.stdout.trimStart().startsWith('{')) {
      // Typically process.exit() called before a large write to a pipe has drained.
      return {
        ok: false,
        error: `stdout ends mid-JSON after ${run.stdout.length} bytes (truncated?): ...${run.stdout.slice(-200)}`,
      };
    }
    return { ok: false, error: `stdout is not one JSON object: ${tail(run.stdout || run.stderr)}` };
  }
  const { files, candidates, warnings, durationMs } = (report ?? {}) as Record<string, unknown>;
  if (!Array.isArray(candidates)) return { ok: false, error: 'the JSON report has no candidates array' };
  const byRule: Record<string, number> = {};
  for (const candidate of candidates as { ruleId?: unknown; rule?: unknown }[]) {
    const rule = String(candidate.ruleId ?? candidate.rule ?? 'unknown');
    byRule[rule] = (byRule[rule] ?? 0) + 1;
  }
  return {
    ok: true,
    findings: candidates.length,
    details: { files, warnings: Array.isArray(warnings) ? warnings.length : warnings, durationMs, byRule },
  };
}

function brokenTool(id: ToolId, error: string): Tool {
  return {
    id,
    label: id,
    version: 'unknown',
    notes: [],
    setupError: error,
    command: () => {
      throw new Error(error);
    },
    interpret: () => ({ ok: false, error }),
    dispose: async () => {},
  };
}

function endedEarly(run: ProcessMeasurement): string {
  const how = run.timedOut ? 'timed out' : `killed by ${run.signal}`;
  return `${how} after ${(run.wallMs / 1000).toFixed(1)} s: ${tail(run.stderr)}`;
}

/** The last lines of an output, bounded, for an error field. */
export function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n').slice(-800);
}

async function packageVersion(packageJson: string): Promise<string> {
  return (JSON.parse(await readFile(packageJson, 'utf8')) as { version: string }).version;
}

function major(version: string): number {
  return Number(version.split('.')[0]);
}
