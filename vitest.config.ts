// Test runner settings: end-to-end tests start the real CLI in child processes, which takes a
// second or two each on a loaded two-core machine, so the per-test limit is generous. Two workers
// even on two cores: much of the suite waits on child processes (390 s with one, 325 s with two).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    maxWorkers: 2,
  },
});
