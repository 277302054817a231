import { defineConfig } from 'vitest/config';

/** `npm test -w @fledge-local/embedded-aws`: the package's own tests alone (the root `npm test` runs them too). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start servers and run functions in worker threads.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
});
