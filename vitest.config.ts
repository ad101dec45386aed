import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/helpers/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    // The chaos test runs on its own afterwards (npm run test:chaos), with the machine to itself.
    exclude: ['test/e2e/chaos.test.ts', 'node_modules/**', 'dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: keep the worker count low so socket tests are not starved.
    maxWorkers: 2,
    pool: 'forks',
    // The e2e tests run dist/: build it first when a source is newer.
    globalSetup: ['test/helpers/build-once.ts'],
  },
});
