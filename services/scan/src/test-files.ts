/**
 * Which files are tests, and what names the tests mention: the input of the
 * untested-export rule. Pure: callers read and parse the files.
 */
import picomatch from 'picomatch';
import { ts } from 'ts-morph';
import type { TestIndex } from './rules/types.ts';

/** `x.test.ts`, `x.spec.tsx`, `x.e2e.ts`, `x.e2e-spec.ts`, in every TS and JS flavour. */
const TEST_FILE_NAME = /\.(?:test|spec|e2e|e2e-spec)\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Folders whose files are all tests or test support, at any depth. */
const TEST_DIRS = new Set(['__tests__', 'test', 'tests']);
/** A string that could be a property name written as text, e.g. `vi.spyOn(obj, 'method')`. */
const IDENTIFIER_LIKE = /^[A-Za-z_$][\w$]*$/;

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

/**
 * Every name a test file mentions: identifiers (including property names and JSX tags),
 * private names (`#field`) and string literals that read as an identifier.
 */
export function collectReferencedNames(sourceFile: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      names.add(node.text);
    } else if (ts.isStringLiteralLike(node) && IDENTIFIER_LIKE.test(node.text)) {
      names.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return names;
}

export function buildTestIndex(files: Iterable<{ sourceFile: ts.SourceFile }>): TestIndex {
  const referencedNames = new Set<string>();
  let testFiles = 0;
  for (const { sourceFile } of files) {
    testFiles++;
    for (const name of collectReferencedNames(sourceFile)) referencedNames.add(name);
  }
  return { testFiles, referencedNames };
}
