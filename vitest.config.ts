// SPDX-License-Identifier: MIT
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Component tests (src/renderer) need the Svelte plugin and jsdom: vitest.renderer.config.ts.
    exclude: ['node_modules/**', 'dist/**', 'test/e2e/**', 'src/renderer/**'],
    environment: 'node',
    pool: 'forks',
    // Model building and training are CPU-bound; two cores here.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
