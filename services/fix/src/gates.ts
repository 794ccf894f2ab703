/**
 * Hard gates, checked in code after the fix and before the commit. A prompt can
 * be talked out of a rule; these can't. Pure: the adapter supplies the facts
 * (which files changed, their text before and after, secrets found in them).
 */
import { ts } from '@selfreview/shared/compiler';
import { enclosingTestBlock } from '@selfreview/shared/repo-files';
import picomatch from 'picomatch';

/** Test files: the repository's globs or the common conventions, as scan decides them. */
export { isTestFile } from '@selfreview/shared/repo-files';

export type GateName =
  | 'only_batch_files'
  | 'diff_size'
  | 'protected_path'
  | 'manifest_or_lockfile'
  | 'ci_config'
  | 'test_deleted'
  | 'test_weakened'
  | 'secret_added'
  | 'capability_added';

export type GateViolation = { gate: GateName; detail: string };

export type TouchedTestFile = { file: string; before: string | null; after: string | null };

export type GateInput = {
  /** Files the worktree differs in from the base commit (added, changed or deleted). */
  changedFiles: readonly string[];
  /** Files this batch was allowed to change. */
  allowedFiles: readonly string[];
  /** One new file the batch may add (the test of `add_missing_test`), if any. */
  allowedNewFile?: string;
  /** Lines added plus lines removed. */
  diffLines: number;
  maxDiffLines: number;
  /** The repository's `protectedPaths` globs. */
  protectedGlobs?: readonly string[];
  /** Changed files that are test files, with their text at the base commit and now (null: absent). */
  testFiles?: readonly TouchedTestFile[];
  /** Secrets present after the change that were not there before. */
  addedSecrets?: readonly { file: string; line: number; kind: string }[];
  /** Reads of the environment, network calls or process spawning the change adds (findAddedCapabilities). */
  addedCapabilities?: readonly AddedCapability[];
};

export type AddedCapability = { file: string; kind: CapabilityKind; added: number };

/** Dependency manifests and lockfiles: a fix never changes what the project depends on. */
const MANIFESTS =
  /(^|\/)(package\.json|package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|pnpm-workspace\.yaml|yarn\.lock|bun\.lockb?|deno\.lock)$/;
/** CI configuration of the common hosts. */
const CI_CONFIG =
  /(^|\/)(\.github\/workflows\/|\.gitlab-ci\.yml$|\.circleci\/|azure-pipelines\.ya?ml$|Jenkinsfile$|\.buildkite\/|\.ci\/|bitbucket-pipelines\.yml$|\.travis\.yml$)/;

export function checkGates(input: GateInput): GateViolation[] {
  const violations: GateViolation[] = [];
  const allowed = new Set(input.allowedFiles);
  if (input.allowedNewFile) allowed.add(input.allowedNewFile);
  const outside = input.changedFiles.filter((f) => !allowed.has(f));
  if (outside.length > 0) {
    violations.push({ gate: 'only_batch_files', detail: `changes outside the batch: ${outside.join(', ')}` });
  }
  if (input.diffLines > input.maxDiffLines) {
    violations.push({
      gate: 'diff_size',
      detail: `${input.diffLines} changed lines, limit ${input.maxDiffLines}`,
    });
  }
  const globs = input.protectedGlobs ?? [];
  if (globs.length > 0) {
    const isProtected = picomatch([...globs], { dot: true });
    const hit = input.changedFiles.filter((f) => isProtected(f));
    if (hit.length > 0)
      violations.push({ gate: 'protected_path', detail: `protected paths changed: ${hit.join(', ')}` });
  }
  const manifests = input.changedFiles.filter((f) => MANIFESTS.test(f));
  if (manifests.length > 0) {
    violations.push({
      gate: 'manifest_or_lockfile',
      detail: `dependency manifests or lockfiles changed: ${manifests.join(', ')}`,
    });
  }
  const ci = input.changedFiles.filter((f) => CI_CONFIG.test(f));
  if (ci.length > 0)
    violations.push({ gate: 'ci_config', detail: `CI configuration changed: ${ci.join(', ')}` });
  for (const t of input.testFiles ?? []) {
    if (t.before !== null && t.after === null) {
      violations.push({ gate: 'test_deleted', detail: `test file deleted: ${t.file}` });
      continue;
    }
    const weakened = testWeakening(t.before ?? '', t.after ?? '');
    if (weakened.length > 0)
      violations.push({ gate: 'test_weakened', detail: `${t.file}: ${weakened.join('; ')}` });
  }
  for (const s of input.addedSecrets ?? []) {
    violations.push({ gate: 'secret_added', detail: `${s.file}:${s.line}: ${s.kind}` });
  }
  for (const c of input.addedCapabilities ?? []) {
    violations.push({
      gate: 'capability_added',
      detail: `${c.file}: adds ${CAPABILITY_WORDS[c.kind]} (${c.added})`,
    });
  }
  return violations;
}

/**
 * What a fix never needs and an injected instruction would want: reading the environment (where
 * tokens are), talking to the network, starting programs or evaluating strings. No codemod adds
 * any of these; a model change that does (a TODO asking for `process.env.GITHUB_TOKEN`) is refused.
 */
export type CapabilityKind = 'environment' | 'network' | 'process' | 'eval';

const CAPABILITY_WORDS: Record<CapabilityKind, string> = {
  environment: 'reads of environment variables',
  network: 'network access',
  process: 'starting processes or threads',
  eval: 'evaluation of strings as code',
};

const MODULES: Record<string, CapabilityKind> = {
  http: 'network',
  https: 'network',
  http2: 'network',
  net: 'network',
  tls: 'network',
  dgram: 'network',
  dns: 'network',
  undici: 'network',
  axios: 'network',
  'node-fetch': 'network',
  child_process: 'process',
  worker_threads: 'process',
  cluster: 'process',
  vm: 'eval',
};

const CAPABILITY_PATTERNS: [CapabilityKind, RegExp][] = [
  ['environment', /\bprocess\s*(?:\.\s*env\b|\[\s*['"`]env['"`]\s*\])/g],
  ['environment', /\b(?:Deno|Bun)\s*\.\s*env\b|\bimport\s*\.\s*meta\s*\.\s*env\b/g],
  ['network', /(?<![\w$.])fetch\s*\(|\b(?:XMLHttpRequest|WebSocket|EventSource)\b|\bsendBeacon\s*\(/g],
  ['eval', /(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(/g],
];

/** Module names in import declarations, `import()`, `require()` and `export … from`. */
const MODULE_REFERENCE =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"`](?:node:)?([\w@./-]+)['"`]/g;

function capabilityCounts(text: string): Record<CapabilityKind, number> {
  const code = blankComments(text);
  const counts: Record<CapabilityKind, number> = { environment: 0, network: 0, process: 0, eval: 0 };
  for (const [kind, re] of CAPABILITY_PATTERNS) counts[kind] += (code.match(re) ?? []).length;
  for (const m of code.matchAll(MODULE_REFERENCE)) {
    const kind = MODULES[(m[1] ?? '').split('/')[0] ?? ''];
    if (kind) counts[kind]++;
  }
  return counts;
}

/** The capabilities `after` uses more often than `before` (null: the file is absent). Pure. */
export function findAddedCapabilities(
  file: string,
  before: string | null,
  after: string | null,
): AddedCapability[] {
  if (after === null) return [];
  const was = capabilityCounts(before ?? '');
  const now = capabilityCounts(after);
  return (Object.keys(now) as CapabilityKind[])
    .filter((kind) => now[kind] > was[kind])
    .map((kind) => ({ file, kind, added: now[kind] - was[kind] }));
}

/** The text with comments replaced by spaces; strings are kept (module names live in them). */
function blankComments(text: string): string {
  return text.replace(
    /\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g,
    (m) => (m.startsWith('/') ? m.replace(/[^\n]/g, ' ') : m),
  );
}

export interface TestShape {
  tests: number;
  skipped: number;
  focused: number;
  assertions: number;
  /** Type-level assertions: expectTypeOf, assertType, tsd's expectType & co., and `@ts-expect-error` directives. */
  typeAssertions: number;
  /** Declarations inside test bodies and hooks: in a type test the declaration is the test. */
  testDeclarations: number;
}

/** vitest's expectTypeOf and assertType; tsd's expectType, expectNotType, expectError, expectAssignable, ... */
const TYPE_ASSERTION_CALL =
  /(?<![\w$.])(?:expectTypeOf|assertType|expectType|expectNotType|expectError|expectAssignable|expectNotAssignable|expectDeprecated|expectNotDeprecated)\s*[<(]/g;
/** `// @ts-expect-error` and `/* @ts-expect-error *\/`: each asserts that the next line does not typecheck. */
const TS_EXPECT_ERROR = /\/[/*]\s*@ts-expect-error\b/g;

/**
 * Counts a test file's tests, skipped and focused tests, assertions (runtime and
 * type-level) and the declarations inside test blocks, by their call names (vitest, jest,
 * mocha, node:test, jasmine, tsd). Comments and strings are blanked first, so a
 * commented-out test neither counts nor hides; `@ts-expect-error` is read from comments.
 */
export function testShape(text: string): TestShape {
  const code = blankCommentsAndStrings(text);
  const count = (re: RegExp, source = code) => (source.match(re) ?? []).length;
  return {
    tests: count(
      /(?<![\w$.])(?:it|test)(?:\.(?:each|concurrent|sequential|only|skip|todo|fails)\b[^(]*)?\s*\(/g,
    ),
    skipped: count(/(?<![\w$])(?:(?:it|test|describe|suite)\.(?:skip|todo)\b|xit|xtest|xdescribe)\s*[.(]/g),
    focused: count(/(?<![\w$])(?:(?:it|test|describe|suite)\.only\b|fit|fdescribe)\s*[.(]/g),
    assertions: count(/(?<![\w$])(?:expect|assert)(?:\.[\w$]+)?\s*\(/g),
    typeAssertions: count(TYPE_ASSERTION_CALL) + count(TS_EXPECT_ERROR, text),
    testDeclarations: countTestDeclarations(text),
  };
}

/** Variables, functions, classes, types and enums declared inside a test body or hook. */
function countTestDeclarations(text: string): number {
  const sf = ts.createSourceFile('test.tsx', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  let n = 0;
  const visit = (node: ts.Node): void => {
    if (
      (ts.isVariableDeclaration(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isTypeAliasDeclaration(node) ||
        ts.isInterfaceDeclaration(node) ||
        ts.isEnumDeclaration(node)) &&
      enclosingTestBlock(node)
    )
      n++;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return n;
}

/** What got weaker between two versions of a test file, in words; empty when nothing did. */
export function testWeakening(before: string, after: string): string[] {
  const a = testShape(before);
  const b = testShape(after);
  const out: string[] = [];
  if (b.tests < a.tests) out.push(`tests removed (${a.tests} -> ${b.tests})`);
  if (b.skipped > a.skipped) out.push(`tests skipped (${a.skipped} -> ${b.skipped})`);
  if (b.focused > a.focused) out.push(`tests focused with .only (${a.focused} -> ${b.focused})`);
  if (b.assertions < a.assertions) out.push(`assertions dropped (${a.assertions} -> ${b.assertions})`);
  if (b.typeAssertions < a.typeAssertions)
    out.push(`type assertions dropped (${a.typeAssertions} -> ${b.typeAssertions})`);
  if (b.testDeclarations < a.testDeclarations)
    out.push(`declarations in test blocks removed (${a.testDeclarations} -> ${b.testDeclarations})`);
  return out;
}

/** The text with comments and string contents replaced by spaces, keeping positions. */
function blankCommentsAndStrings(text: string): string {
  return text.replace(
    /\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g,
    (m) =>
      m.startsWith('/')
        ? ' '.repeat(m.length)
        : `${m[0]}${' '.repeat(Math.max(0, m.length - 2))}${m[m.length - 1]}`,
  );
}
