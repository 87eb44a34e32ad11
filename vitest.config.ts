import { defineConfig } from 'vitest/config';

const jsonReport = process.env.TIERGUARD_JSON_REPORT;

export default defineConfig({
  // The README's snippets (examples/readme/) import the package by its name, as users do
  // (tsconfig.json maps the same names for the type-checker and tsx).
  resolve: {
    alias: [
      { find: /^tierguard$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
      {
        find: /^tierguard\/testing$/,
        replacement: new URL('./src/testing/index.ts', import.meta.url).pathname,
      },
    ],
  },
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
