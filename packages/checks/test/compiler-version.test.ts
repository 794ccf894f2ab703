import { ts } from '@selfreview/shared/compiler';
import { ts as tsMorphTypeScript } from 'ts-morph';
import { describe, expect, it } from 'vitest';

describe('the one TypeScript', () => {
  // The unused-import codemod walks ts-morph's nodes with the compiler module's SyntaxKind
  // numbers, which differ between TypeScript versions: the two must be the same release.
  it("is the release ts-morph bundles, so ts-morph's nodes and the compiler's SyntaxKind agree", () => {
    expect(tsMorphTypeScript.version).toBe(ts.version);
  });
});
