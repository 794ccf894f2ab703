/**
 * What a repository says about its own code, read from its lint and test-runner
 * configuration as text: which unused names are unused on purpose (no-unused-vars ignore
 * patterns), and which files are tests or type tests (vitest `include`, `typecheck.include`,
 * jest `testMatch`). Configurations are never executed: a `.js`/`.ts` config could run
 * anything, so only string literals next to known keys are taken. Pure: the adapter
 * (`RepoIndexCache.conventions`) reads the files once per repository and commit.
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';

/** The binding kinds no-unused-vars has separate ignore patterns for. */
export type BindingKind = 'vars' | 'args' | 'caughtErrors' | 'destructuredArray';

export interface IgnorePattern {
  kind: BindingKind;
  pattern: RegExp;
  /** Where it was declared, for a person: `.oxlintrc.json argsIgnorePattern "^_"`. */
  source: string;
}

export interface UnusedNameConventions {
  patterns: readonly IgnorePattern[];
  /** Set when a no-unused-vars rule has `args: "none"`: the repository does not want unused parameters reported. */
  argsNotChecked?: string;
  /** Linters that ignore `_`-prefixed names by default (biome's noUnusedVariables), named for the detail. */
  underscoreSources: readonly string[];
}

export interface TestRunnerGlobs {
  /** Globs of files the test runner runs, relative to the repository root. */
  tests: readonly string[];
  /** Globs of files it only typechecks (vitest `typecheck.include`). */
  typeTests: readonly string[];
}

export interface RepoConventions {
  unusedNames: UnusedNameConventions;
  testRunner: TestRunnerGlobs;
}

export const EMPTY_CONVENTIONS: RepoConventions = {
  unusedNames: { patterns: [], underscoreSources: [] },
  testRunner: { tests: [], typeTests: [] },
};

const LINT_CONFIG = new Set([
  '.eslintrc',
  '.eslintrc.json',
  '.eslintrc.cjs',
  '.eslintrc.js',
  '.eslintrc.yml',
  '.eslintrc.yaml',
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
  '.oxlintrc.json',
  'oxlintrc.json',
  'biome.json',
  'biome.jsonc',
]);
const TEST_RUNNER_CONFIG =
  /^(?:vitest\.(?:config|workspace|projects)|vite\.config|jest\.config)\.(?:[cm]?[jt]s|json)$/;
/** Configurations of nested packages count too (monorepos), but not at any depth. */
const MAX_CONFIG_DEPTH = 3;

/** Which files of a tree listing `readConventions` wants to read. */
export function conventionFiles(paths: readonly string[]): string[] {
  return paths.filter((p) => {
    const segments = p.split('/');
    if (segments.length > MAX_CONFIG_DEPTH || segments.includes('node_modules')) return false;
    const name = segments[segments.length - 1] ?? '';
    return LINT_CONFIG.has(name) || TEST_RUNNER_CONFIG.test(name);
  });
}

export function readConventions(files: ReadonlyMap<string, string>): RepoConventions {
  const patterns: IgnorePattern[] = [];
  const underscoreSources: string[] = [];
  let argsNotChecked: string | undefined;
  const tests: string[] = [];
  const typeTests: string[] = [];
  for (const [file, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const name = posix.basename(file);
    if (LINT_CONFIG.has(name)) {
      patterns.push(...ignorePatterns(file, text));
      argsNotChecked ??= argsNone(file, text);
      if (name.startsWith('biome.') && biomeChecksUnusedVariables(text))
        underscoreSources.push(`${file} noUnusedVariables`);
    } else if (TEST_RUNNER_CONFIG.test(name)) {
      const found = testGlobs(text);
      const dir = posix.dirname(file);
      const rooted = (glob: string) => (dir === '.' ? glob : posix.join(dir, glob));
      tests.push(...found.tests.map(rooted));
      typeTests.push(...found.typeTests.map(rooted));
    }
  }
  return {
    unusedNames: { patterns, underscoreSources, ...(argsNotChecked ? { argsNotChecked } : {}) },
    testRunner: { tests, typeTests },
  };
}

const PATTERN_KEYS: Record<string, BindingKind> = {
  varsIgnorePattern: 'vars',
  argsIgnorePattern: 'args',
  caughtErrorsIgnorePattern: 'caughtErrors',
  destructuredArrayIgnorePattern: 'destructuredArray',
};

/** `key: "..."`, `"key": '...'` or YAML's `key: ^_` (a double-quoted, single-quoted or bare value). */
const KEY_VALUE = (keys: string) =>
  new RegExp(
    `["']?(${keys})["']?\\s*:\\s*(?:"((?:\\\\.|[^"\\\\\\n])*)"|'((?:\\\\.|''|[^'\\\\\\n])*)'|([^\\s,'"#}\\]]+))`,
    'g',
  );

function ignorePatterns(file: string, text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const m of text.matchAll(KEY_VALUE(Object.keys(PATTERN_KEYS).join('|')))) {
    const key = m[1] as string;
    const raw = m[2] !== undefined ? unquoteDouble(m[2]) : m[3] !== undefined ? unquoteSingle(m[3]) : m[4];
    if (raw === undefined || raw === '') continue;
    const pattern = compile(raw);
    if (!pattern) continue;
    const kind = PATTERN_KEYS[key] as BindingKind;
    if (!out.some((p) => p.kind === kind && p.pattern.source === pattern.source))
      out.push({ kind, pattern, source: `${file} ${key} "${raw}"` });
  }
  return out;
}

/** `args: "none"` inside a no-unused-vars rule's options: unused parameters are fine here. */
function argsNone(file: string, text: string): string | undefined {
  for (const rule of text.matchAll(/no-unused-vars/g)) {
    // The options follow the rule name closely; a later rule's options must not count.
    const after = rule.index + 'no-unused-vars'.length;
    const window = text.slice(after, after + 400).split(/\bno-[a-z-]+['"]?\s*:/)[0] ?? '';
    if (/(?<![\w$])["']?args["']?\s*:\s*["']?none\b/.test(window))
      return `${file} no-unused-vars args "none"`;
  }
  return undefined;
}

function biomeChecksUnusedVariables(text: string): boolean {
  const m = /"noUnusedVariables"\s*:\s*("(\w+)"|\{[^}]*?"level"\s*:\s*"(\w+)")/.exec(text);
  if (!m) return false;
  return (m[2] ?? m[3]) !== 'off';
}

function unquoteDouble(s: string): string | undefined {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return undefined;
  }
}

function unquoteSingle(s: string): string | undefined {
  // YAML doubles a quote (''), JavaScript escapes it (\'); both keep backslashes otherwise.
  return unquoteDouble(s.replace(/''/g, "'").replace(/\\'/g, "'").replace(/"/g, '\\"'));
}

function compile(source: string): RegExp | undefined {
  try {
    return new RegExp(source, 'u');
  } catch {
    try {
      return new RegExp(source);
    } catch {
      return undefined;
    }
  }
}

/**
 * String literals of `include: [...]` (vitest), `testMatch: [...]` (jest) and
 * `typecheck: { include: [...] }` (vitest's type tests). `coverage: { include }` is about
 * which sources are measured, not which files are tests, so coverage blocks are skipped.
 */
export function testGlobs(text: string): { tests: string[]; typeTests: string[] } {
  const code = withoutBlock(withoutBlock(text, 'coverage'), 'benchmark');
  const typecheck = blockOf(code, 'typecheck');
  const typeTests = typecheck ? arrayStrings(typecheck, 'include') : [];
  const rest = typecheck ? code.replace(typecheck, '') : code;
  const tests = [...arrayStrings(rest, 'include'), ...arrayStrings(rest, 'testMatch')];
  const clean = (globs: string[]) => globs.map((g) => g.replace(/^<rootDir>\//, '').replace(/^\.\//, ''));
  return { tests: clean(tests), typeTests: clean(typeTests) };
}

function arrayStrings(text: string, key: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(`["']?${key}["']?\\s*:\\s*\\[([^\\]]*)\\]`, 'g'))) {
    for (const s of (m[1] ?? '').matchAll(/"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|`([^`$]*)`/g))
      out.push(s[1] ?? s[2] ?? s[3] ?? '');
  }
  return out.filter((g) => g.length > 0);
}

/** The `{ ... }` object after `key:`, braces balanced; undefined when there is none. */
function blockOf(text: string, key: string): string | undefined {
  const m = new RegExp(`["']?${key}["']?\\s*:\\s*\\{`).exec(text);
  if (!m) return undefined;
  let depth = 0;
  for (let i = m.index + m[0].length - 1; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(m.index, i + 1);
  }
  return text.slice(m.index);
}

function withoutBlock(text: string, key: string): string {
  const block = blockOf(text, key);
  return block ? text.replace(block, '') : text;
}

/** Matchers for the test-runner globs, compiled once per conventions object. */
const matchers = new WeakMap<readonly string[], (file: string) => boolean>();

export function matchesAny(globs: readonly string[], file: string): boolean {
  if (globs.length === 0) return false;
  let matcher = matchers.get(globs);
  if (!matcher) {
    matcher = picomatch([...globs], { dot: true });
    matchers.set(globs, matcher);
  }
  return matcher(file);
}
