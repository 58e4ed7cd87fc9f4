import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start the compiled commands: build dist/ once, before any test file; afterwards, fail the run
    // if any process a test started is still alive.
    globalSetup: ['test/helpers/build.ts'],
    // Integration tests start real processes; two files at a time suits a 2-core machine.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
