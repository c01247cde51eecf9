import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * One run over every package. `seshat-source` resolves `import 'seshat'` to the library's TypeScript sources
 * (the published package resolves to dist/), so the server and examples are tested against the code beside them.
 */
const conditions = ['seshat-source', ...defaultServerConditions];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    reporters: ['default', './packages/server/test/summary-reporter.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Browser and multi-process tests start servers; two cores do not gain from more workers.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'seshat', root: 'packages/seshat', include: ['test/**/*.test.ts'] } },
      // Server tests start servers and CLI processes: seconds each on a busy machine.
      { extends: true, test: { name: 'server', root: 'packages/server', include: ['test/**/*.test.ts'], exclude: ['test/browser/**'], testTimeout: 60_000 } },
      {
        extends: true,
        test: {
          name: 'browser',
          root: 'packages/server',
          include: ['test/browser/**/*.test.ts'],
          // Builds web/dist for the browser tests if it is missing or stale.
          globalSetup: ['test/global-setup.ts'],
          // A page walk in Chromium with axe on every page: seconds each on a quiet machine, more on a busy one.
          testTimeout: 120_000,
        },
      },
      { extends: true, test: { name: 'examples', root: 'examples', include: ['test/**/*.test.ts', '*.test.ts'] } },
    ],
  },
});
