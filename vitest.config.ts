import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The embedded AWS's own tests (packages/embedded-aws/test) run here too, so CI covers them.
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // The reliability suite has its own config and command (`npm run test:reliability`; CI runs it after `npm test`).
    exclude: [...configDefaults.exclude, 'test/reliability/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores here: integration suites start servers, so keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
