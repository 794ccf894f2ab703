import { CHECKS } from '@selfreview/checks';
import { describe, expect, it } from 'vitest';
import { CODEMODS, getCodemod } from '../src/codemods/index.ts';

describe('getCodemod', () => {
  it.each(CHECKS.map((c) => [c.fix.changeType, c] as const))(
    "finds %s's codemod, or none for the model",
    (changeType, check) => {
      expect(getCodemod(changeType)).toBe(check.fix.codemod);
    },
  );

  it('has one codemod per change type, and none for an unknown one', () => {
    expect(new Set(CODEMODS.map((c) => c.changeType)).size).toBe(CODEMODS.length);
    expect(getCodemod('no_such_change')).toBeUndefined();
  });
});
