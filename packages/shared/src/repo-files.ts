/**
 * What a repository holds for selfreview: its config file and its TypeScript
 * sources at a commit. Selection is pure (`selectSourceFiles`); reading goes
 * through the git adapter.
 */
import picomatch from 'picomatch';
import { ts } from './compiler.ts';
import { defaultRepoConfig, parseRepoConfig, REPO_CONFIG_FILES, type RepoConfig } from './config.ts';
import type { Repository } from './workspace.ts';

export const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'] as const;
/** Folders that hold dependencies or build output, never source to fix. */
export const SKIPPED_DIRS = ['node_modules', 'dist', 'build', 'out', 'coverage', '.next', '.turbo', '.git'];
/** Files past this size are generated or bundled far more often than written by hand. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

export async function loadRepoConfigAt(repo: Repository, sha: string): Promise<RepoConfig> {
  const found = await repo.readFiles(sha, REPO_CONFIG_FILES);
  for (const name of REPO_CONFIG_FILES) {
    const text = found.get(name);
    if (text !== undefined) return parseRepoConfig(text, name);
  }
  return defaultRepoConfig();
}

export type SourceSelection = { files: string[]; skipped: { file: string; reason: string }[] };

export function isTypeScriptSource(file: string): boolean {
  if (/\.d\.[mc]?ts$/.test(file)) return false;
  return TS_EXTENSIONS.some((ext) => file.endsWith(ext));
}

/** Picks the TypeScript sources to scan from a tree listing; says why anything was left out. */
export function selectSourceFiles(
  tree: readonly { path: string; size: number; mode: string }[],
  config: Pick<RepoConfig, 'ignore'>,
): SourceSelection {
  const ignored = config.ignore.length > 0 ? picomatch(config.ignore, { dot: true }) : () => false;
  const files: string[] = [];
  const skipped: SourceSelection['skipped'] = [];
  for (const entry of tree) {
    if (!isTypeScriptSource(entry.path)) continue;
    if (entry.path.split('/').some((seg) => SKIPPED_DIRS.includes(seg))) continue;
    // 120000 is a symbolic link, 160000 a submodule: neither is this repository's source.
    if (entry.mode === '120000' || entry.mode === '160000') {
      skipped.push({ file: entry.path, reason: 'symbolic link or submodule' });
      continue;
    }
    if (ignored(entry.path)) continue;
    if (entry.size > MAX_SOURCE_BYTES) {
      skipped.push({ file: entry.path, reason: `larger than ${MAX_SOURCE_BYTES} bytes` });
      continue;
    }
    files.push(entry.path);
  }
  return { files: files.sort(), skipped };
}

export function hasRootTsconfig(tree: readonly { path: string }[]): boolean {
  return tree.some((e) => e.path === 'tsconfig.json');
}

const GENERATED_DIRS = new Set(['dist', 'build', 'out', 'generated', '__generated__']);
// The `@generated` convention (Meta, Relay, GraphQL codegen) and the common
// "DO NOT EDIT" banner.
const GENERATED_MARKER = /@generated(?![\w-])|\bDO NOT EDIT\b/;

/**
 * Whether a file is produced by a tool rather than written by hand: edits there are
 * overwritten on the next build. Only the head of the file is read, because a marker
 * deep inside is more likely a string or a comment about generated code.
 */
export function isGeneratedFile(file: string, text: string | null): boolean {
  // `.d.ts`, `.d.mts`, `.d.cts` and `.d.<ext>.ts` (e.g. `.d.css.ts`).
  if (/\.d\.(?:[^./]+\.)?[cm]?ts$/.test(file)) return true;
  const dirs = file.split('/').slice(0, -1);
  if (dirs.some((dir) => GENERATED_DIRS.has(dir))) return true;
  if (text === null) return false;
  const head = text.slice(0, 1000).split('\n').slice(0, 5).join('\n');
  return GENERATED_MARKER.test(head);
}

/** A line this long is not written by hand. */
const MINIFIED_LINE_CHARS = 5000;

/**
 * Why a source file's content is not worth scanning, or undefined when it is: binary data
 * (a NUL byte), minified or bundled code (a very long line in a file of few lines), or a
 * generated file.
 */
export function contentSkipReason(file: string, text: string): string | undefined {
  if (text.includes('\u0000')) return 'binary content';
  if (text.length > MINIFIED_LINE_CHARS) {
    let longest = 0;
    let start = 0;
    for (let nl = text.indexOf('\n'); ; nl = text.indexOf('\n', start)) {
      const end = nl < 0 ? text.length : nl;
      longest = Math.max(longest, end - start);
      if (nl < 0) break;
      start = nl + 1;
    }
    if (longest > MINIFIED_LINE_CHARS) return 'minified (a line longer than 5000 characters)';
  }
  if (isGeneratedFile(file, text)) return 'generated';
  return undefined;
}

/**
 * `x.test.ts`, `x.spec.tsx`, `x.e2e.ts`, `x.e2e-spec.ts`, and the type tests `x.test-d.ts`,
 * `x.spec-d.ts` (vitest's typecheck and tsd), in every TS and JS flavour.
 */
const TEST_FILE_NAME = /\.(?:test|spec|test-d|spec-d|e2e|e2e-spec)\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Folders whose files are all tests or test support, at any depth (`test-d`: tsd's type tests). */
const TEST_DIRS = new Set(['__tests__', 'test', 'tests', 'test-d']);
// A repository's patterns are one array for the whole scan: compile them once.
const matchers = new WeakMap<readonly string[], (file: string) => boolean>();

/**
 * Whether `file` (repository-relative, `/` separators) is a test file: by `patterns`
 * (picomatch globs matched against the whole path) when any are given, otherwise by
 * the common conventions.
 */
export function isTestFile(file: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) {
    const segments = file.split('/');
    const name = segments.pop() ?? '';
    return TEST_FILE_NAME.test(name) || segments.some((segment) => TEST_DIRS.has(segment));
  }
  let matcher = matchers.get(patterns);
  if (matcher === undefined) {
    matcher = picomatch([...patterns], { dot: true });
    matchers.set(patterns, matcher);
  }
  return matcher(file);
}

/** Type tests by name: vitest's `*.test-d.ts` / `*.spec-d.ts` and tsd's `test-d/` folder. */
const TYPE_TEST_FILE_NAME = /\.(?:test|spec)-d\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Libraries whose only job is asserting types: a file importing one is a type test. */
const TYPE_TEST_IMPORT = /\bfrom\s*['"](?:tsd|tsd-lite|expect-type|@vitest\/expect-type)['"]/;

/**
 * Whether a file is a type test: it exists to be typechecked, never run, so its
 * declarations are "unused" on purpose. By name (`*.test-d.ts`, `test-d/`) or by importing
 * a type-assertion library (tsd, expect-type).
 */
export function isTypeTestFile(file: string, text: string | null): boolean {
  if (TYPE_TEST_FILE_NAME.test(file) || file.split('/').slice(0, -1).includes('test-d')) return true;
  return text !== null && TYPE_TEST_IMPORT.test(text);
}

/** A test runner imported by name: a file that does this is a test whatever it is called. */
const TEST_RUNNER_IMPORT =
  /\bfrom\s*['"](?:vitest|@jest\/globals|node:test|bun:test|mocha|ava|uvu|tap|@playwright\/test|tsd|expect-type)['"]/;

export function importsTestRunner(text: string): boolean {
  return TEST_RUNNER_IMPORT.test(text);
}

/**
 * The calls of vitest, jest, mocha, jasmine, node:test and bench runners that take a test
 * body or a hook: code in their callbacks runs (or is typechecked) as part of a test.
 */
export const TEST_BLOCK_CALLS: ReadonlySet<string> = new Set([
  'it',
  'test',
  'describe',
  'suite',
  'context',
  'specify',
  'bench',
  'fit',
  'xit',
  'xtest',
  'fdescribe',
  'xdescribe',
  'beforeEach',
  'afterEach',
  'beforeAll',
  'afterAll',
  'before',
  'after',
]);

/** `it`, `it.each([...])`, `test.skip`, `describe.concurrent.each\`...\``: the runner's name at the root of a callee. */
function calleeRoot(expression: ts.Expression): string | undefined {
  let node: ts.Expression = expression;
  for (;;) {
    if (ts.isIdentifier(node)) return node.text;
    if (ts.isPropertyAccessExpression(node)) node = node.expression;
    else if (ts.isCallExpression(node)) node = node.expression;
    else if (ts.isTaggedTemplateExpression(node)) node = node.tag;
    else if (ts.isParenthesizedExpression(node)) node = node.expression;
    else return undefined;
  }
}

/** Whether a call is a test runner's block or hook (`it(...)`, `describe.each(t)(...)`, `beforeEach(...)`). */
export function isTestBlockCall(node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const root = calleeRoot(node.expression);
  return root !== undefined && TEST_BLOCK_CALLS.has(root) && node.arguments.some(isFunctionArgument);
}

function isFunctionArgument(node: ts.Node): boolean {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/** The innermost test block or hook whose callback contains `node`, if any. */
export function enclosingTestBlock(node: ts.Node): ts.CallExpression | undefined {
  for (let n: ts.Node | undefined = node; n?.parent; n = n.parent) {
    if (isFunctionArgument(n) && isTestBlockCall(n.parent) && n.parent.arguments.includes(n as ts.Expression))
      return n.parent;
  }
  return undefined;
}
