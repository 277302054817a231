import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the reliability suite (test/reliability/, docs/reliability.md) —
 * the fault matrix in shards, crash-and-restart, and the matrix's coverage guard. Apart from
 * `npm test` (whose config leaves test/reliability/ out) because it takes longer; CI runs both.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // One case runs a whole deployment, holds a persistent fault past its end and repairs it.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Two cores: one embedded AWS per shard, two shards at a time.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts', './test/reliability/reporter.ts'],
  },
});
