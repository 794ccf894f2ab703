/**
 * Which files are tests, and what names the tests mention: the input of the
 * untested-export rule. Pure: callers read and parse the files.
 */

import { ts } from '@selfreview/shared/compiler';
import { isTestFile } from '@selfreview/shared/repo-files';
import type { TestIndex } from './rules/types.ts';

/** A string that could be a property name written as text, e.g. `vi.spyOn(obj, 'method')`. */
const IDENTIFIER_LIKE = /^[A-Za-z_$][\w$]*$/;

/** Re-exported: fix's gates use the same conventions. */
export { isTestFile };

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
