import { defineConfig } from 'vitest/config';

const jsonReport = process.env.TIERGUARD_JSON_REPORT;

export default defineConfig({
  test: {
    // The examples that are tests (testing-with-msw) run with the suite.
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['test/setup/redis-global.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'threads',
    // CI reads the totals from the JSON report (.ci/run); people read the default reporter.
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
