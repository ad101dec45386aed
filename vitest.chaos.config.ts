import { defineConfig } from 'vitest/config';

/** The chaos test alone: its timing claims hold only without other test files competing for the CPU. */
export default defineConfig({
  test: {
    include: ['test/e2e/chaos.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 150_000,
    pool: 'forks',
    // The e2e tests run dist/: build it first when a source is newer.
    globalSetup: ['test/helpers/build-once.ts'],
    maxWorkers: 1,
  },
});
