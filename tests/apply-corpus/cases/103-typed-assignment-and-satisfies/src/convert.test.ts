import { describe, expect, it } from 'vitest';
import { isEqual } from './convert';

describe('isEqual', () => {
  it('returns a boolean', () => {
    const result = isEqual(1, 1);
    const assign: boolean = result;
    expect(result).toBe(true);
  });
});
