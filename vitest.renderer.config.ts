// SPDX-License-Identifier: MIT
// Component tests: Svelte components compiled for the browser, run in jsdom.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  test: {
    include: ['src/renderer/**/*.test.ts'],
    environment: 'jsdom',
    pool: 'forks',
    maxWorkers: 2,
  },
});
