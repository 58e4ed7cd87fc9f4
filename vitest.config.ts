import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One copy of graphql: sources run in-process (test/helpers/in-process.ts) would otherwise get its ESM
    // build while graphql-yoga, loaded by Node, gets the CommonJS one, and an error thrown by a resolver
    // would not be `instanceof` yoga's GraphQLError (the dual-package hazard): masked as an internal error.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start the compiled commands: build dist/ once, before any test file; afterwards, fail the run
    // if any process a test started is still alive.
    globalSetup: ['test/helpers/build.ts'],
    // Three files at a time on a 2-core machine: much of a process-level test is waiting (a failover, a frozen
    // process), and the suite passes beside two busy loops this way (README: "How the tests are layered").
    fileParallelism: true,
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
