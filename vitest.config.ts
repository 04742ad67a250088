import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Network tests start real servers on loopback; keep them bounded.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Two cores in CI: more forks only add contention.
    maxWorkers: 2,
  },
});
