import { defineConfig } from 'vitest/config';

// 2-core machines: two forks, generous timeouts for small training runs.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
