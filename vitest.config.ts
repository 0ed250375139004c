import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'sample-dicom/**/*.test.ts', 'workers/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two test files at once even on 2 cores (vitest's default leaves one core to the runner): the
    // phantom tests are CPU-bound single-threaded work, and the full-size ones need ~5 GB each.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['./vitest.globalSetup.ts'],
  },
});
