import { defineConfig } from 'vitest/config';

/**
 * The browser tests (`npm run test:browser`): headless Chromium from the machine's packages drives pages
 * against a local stack. Apart from `npm test`, because they need a browser that a user's machine may lack.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    // One browser test file at a time: each starts a local stack and a Chromium on two shared cores.
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.test-results/vitest-browser.json' }]],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
