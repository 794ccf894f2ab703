import { describe, expect, it } from 'vitest';
import { failingTests, listedRepositoryFiles } from './checks.ts';

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

describe('listedRepositoryFiles', () => {
  it("keeps the repository's own files, relative, and leaves out node_modules and files outside", () => {
    const output = [
      '/lib/node_modules/typescript/lib/lib.es2022.d.ts',
      '/repo/node_modules/@types/node/index.d.ts',
      '/repo/src/a.ts',
      '/repo/packages/x/src/b.ts',
      '/elsewhere/c.ts',
      '',
    ].join('\n');
    expect([...listedRepositoryFiles(output, '/repo')]).toEqual(['src/a.ts', 'packages/x/src/b.ts']);
  });
});
