import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests need Chromium: `npm run test:browser` (vitest.browser.config.ts) runs them.
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    // One DynamoDB Local for the whole run; see test/support/dynamodb-local.ts.
    globalSetup: ['test/support/dynamodb-local.ts'],
    pool: 'forks',
    // The JSON report gives CI its closing 'N passed, N failed' line (.ci/run).
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
