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
    // One embedded AWS per shard (test/reliability/support/matrix.ts: SHARDS). A case spends most
    // of its time waiting on the simulated clock — a shard keeps about a third of a core busy — so
    // four shards at a time share two cores without slowing each other much (docs/reliability.md,
    // "Run time").
    maxWorkers: 4,
    reporters: ['default', './test/summary-reporter.ts', './test/reliability/reporter.ts'],
  },
});
