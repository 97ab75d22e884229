import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` runs against each mutant: the in-process unit, power-cut,
 * image and agent storage tests over the mutated files. Left out: the XS lane and the
 * e2e sweeps (minutes per run), and tests that drive the CLI or openssl in a child
 * process (a child never sees the active mutant, so they would only cost time).
 */
export default defineConfig({
  test: {
    include: [
      'host-tests/storage/**/*.test.ts',
      'host-tests/util/**/*.test.ts',
      'host-tests/sim/**/*.test.ts',
      'host-tests/power-cut/**/*.test.ts',
      'host-tests/image/**/*.test.ts',
      'host-tests/agent/update-sink.test.ts',
      'host-tests/agent/running-image.test.ts',
    ],
    exclude: [
      'host-tests/image/cli-image.test.ts',
      'host-tests/image/openssl-interop.test.ts',
      'host-tests/image/gbcs-any-layout.test.ts',
      'host-tests/image/image-fuzz.test.ts',
      'host-tests/image/device-image-purity.test.ts',
    ],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Tests that loop over many seeds take fewer under mutation (each mutant runs them again).
    env: { ALTHAN_MUTATION_RUN: '1' },
  },
});
