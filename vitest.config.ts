import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the "source" condition and their
// built JavaScript (dist/) by default: the tests run the sources. Vitest also starts its test
// processes with these as --conditions, so Node's own resolution there (createRequire, e.g. the
// CLI's worker entries) finds the sources too.
const conditions = ['source', 'module', 'node', 'development|production'];

// Two projects: `unit` tests pure cores with no outside services; `integration`
// runs against a real Redis (started by tests/setup/redis.ts) and real git.
export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // A check's tests sit in its own folder (packages/checks/src/<id>/test).
          include: [
            'packages/*/test/**/*.test.ts',
            'packages/checks/src/**/*.test.ts',
            'services/*/test/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/setup/redis.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Workers are real processes competing for 2 cores: run files one by one.
          fileParallelism: false,
        },
      },
    ],
  },
});
