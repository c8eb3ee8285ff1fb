// Test runner settings: end-to-end tests start the real CLI in child processes, which takes a
// second or two each on a loaded two-core machine, so the per-test limit is generous.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
