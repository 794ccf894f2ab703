import { describe, expect, it } from 'vitest';
import { formatDate } from './format';
import { getDate } from './getDate';

describe('getDate', () => {
  it('returns the day of the month', () => {
    expect(getDate(new Date(2024, 0, 15))).toBe(15);
  });

  it('resolves the context date type', () => {
    function _test<DateType extends Date>(arg: DateType) {
      getDate(arg, { in: 'UTC' });
    }
  });
});
