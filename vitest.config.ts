import { defineConfig } from 'vitest/config';

// Two projects: `unit` tests pure cores with no outside services; `integration`
// runs against a real Redis (started by tests/setup/redis.ts) and real git.
export default defineConfig({
  test: {
    projects: [
      {
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
