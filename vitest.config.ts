import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['host-tests/**/*.test.ts'],
    // Generous per-test ceilings only so a hang fails instead of stalling CI; no test
    // asserts on time (speed is measured in `npm run bench`).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // The JSON report lets .ci/run print its closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
  },
});
