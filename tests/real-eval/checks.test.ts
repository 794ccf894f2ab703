import { describe, expect, it } from 'vitest';
import { failingTests } from './checks.ts';

describe('failingTests', () => {
  it('names failing tests by file and full name, and files that failed before any test', () => {
    const result = failingTests(
      {
        numTotalTests: 3,
        testResults: [
          {
            name: '/repo/src/a.test.ts',
            status: 'failed',
            assertionResults: [
              { fullName: 'a adds', status: 'passed' },
              { fullName: 'a rounds', status: 'failed' },
            ],
          },
          {
            name: '/repo/src/b.test.ts',
            status: 'failed',
            message: 'Cannot find module',
            assertionResults: [],
          },
          {
            name: '/repo/src/c.test.ts',
            status: 'passed',
            assertionResults: [{ title: 'c', status: 'passed' }],
          },
        ],
      },
      '/repo',
    );
    expect(result).toEqual({
      failing: new Set(['src/a.test.ts > a rounds', 'src/b.test.ts > (the file failed to run)']),
      tests: 3,
    });
  });
});
