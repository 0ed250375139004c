import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'sample-dicom/**/*.test.ts', 'workers/**/*.test.ts'],
    // A hang guard, not a speed bar: the real-CT and full-size tests take 20-60 s alone and
    // over 120 s when the machine is shared (anatomy.real took 121 s at load 18 in a fresh clone).
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two test files at once even on 2 cores (vitest's default leaves one core to the runner): the
    // phantom tests are CPU-bound single-threaded work, and the full-size ones need ~5 GB each.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['./vitest.globalSetup.ts'],
  },
});
