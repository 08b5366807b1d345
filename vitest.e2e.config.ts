// SPDX-License-Identifier: MIT
// End-to-end tests: the real CLI serving browser mode, driven by Debian's Chromium through playwright-core.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
