import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Secrets generation (RSA) and compiling every golden case take seconds, not milliseconds.
    testTimeout: 60_000,
  },
});
