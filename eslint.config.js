// SPDX-License-Identifier: MIT
// Lint enforces the layering (VS Code style): shared is pure; engine and store never import
// Electron; the renderer never imports node, engine or store; the preload imports only shared.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'http', 'net', 'crypto', 'url', 'module', 'stream', 'events', 'util', 'zlib'];
// Exact module names (restricted `paths`), not gitignore-style patterns: a pattern `fs` would also
// match our own `methods/fs` module.
const nodeBuiltins = NODE_BUILTINS.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'No Node built-ins here.' }));

const restrict = (patterns, paths = []) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/results/**', '**/*.svelte'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([{ group: ['**/engine/**', '**/store/**', '**/main/**', '**/renderer/**', '**/services/**', 'electron', 'node:*'], message: 'src/shared is pure TypeScript: no node, electron or app layers.' }], nodeBuiltins) },
  },
  {
    files: ['src/engine/**/*.ts', 'src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([{ group: ['electron', '**/main/**', '**/renderer/**', '**/server/**', '**/cli/**', '**/services/**'], message: 'engine and store run without Electron and know nothing of the app around them.' }]),
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/services/**/*.ts', 'src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([{ group: ['electron', '**/main/**', '**/renderer/**'], message: 'services, server and CLI run without Electron.' }]) },
  },
  {
    files: ['src/renderer/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([{ group: ['**/engine/**', '**/store/**', '**/services/**', '**/server/**', '**/main/**', 'electron', 'node:*'], message: 'The renderer talks to the engine only through lib/api.ts.' }], nodeBuiltins) },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([{ group: ['**/engine/**', '**/store/**', '**/services/**', '**/server/**', '**/main/**', '**/renderer/**', 'node:*'], message: 'The preload is a bridge: it imports only electron and src/shared.' }], nodeBuiltins) },
  },
);
