// SPDX-License-Identifier: MIT
// Lint enforces the layering (VS Code style) described once in layers.mjs: which top-level folder
// may import which, the engine's floors, and that the renderer, the preload and shared stay off
// node; engine and store never import Electron. Svelte components are linted too.
import tseslint from 'typescript-eslint';
import { CLI_CONTRACT_EXCEPTIONS, ENGINE_FLOORS, LAYERS, SERVICE_MODULES_ALLOWED } from './layers.mjs';

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'http', 'net', 'crypto', 'url', 'module', 'stream', 'events', 'util', 'zlib'];
// Exact module names (restricted `paths`), not gitignore-style patterns: a pattern `fs` would also
// match our own `methods/fs` module.
const nodeBuiltins = NODE_BUILTINS.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'No Node built-ins here.' }));
const NO_NODE = new Set(['shared', 'renderer', 'preload']);
const ELECTRON_OK = new Set(['main', 'preload']);

const restrict = (patterns, paths = []) => ['error', { paths, patterns }];

/** The no-restricted-imports patterns of one top-level layer (`wiring`: a test, which may reach across layers to set things up). */
function layerPatterns(layer, { wiring = false, allServices = false } = {}) {
  const allowed = new Set([layer, ...LAYERS[layer]]);
  const forbidden = Object.keys(LAYERS).filter((l) => !allowed.has(l));
  const patterns = [];
  if (forbidden.length && !wiring) patterns.push({ group: forbidden.map((l) => `**/${l}/**`), message: `src/${layer} may import only ${[...allowed].join(', ')} (layers.mjs).` });
  const services = SERVICE_MODULES_ALLOWED[layer];
  if (services && !wiring && !allServices) {
    patterns.push({ group: ['**/services/**', ...services.map((m) => `!**/${m}`)], message: `src/${layer} reaches the engine through the contract only; of services it may import ${services.join(', ')} (layers.mjs).` });
  }
  if (!ELECTRON_OK.has(layer)) patterns.push({ group: ['electron'], message: `src/${layer} runs without Electron.` });
  if (NO_NODE.has(layer)) patterns.push({ group: ['node:*'], message: `src/${layer} is not node code.` });
  return patterns;
}

/** no-restricted-imports sees only static imports: the same layer ban for `await import('...')`. */
function dynamicImportBans(layer) {
  const allowed = new Set([layer, ...LAYERS[layer]]);
  return Object.keys(LAYERS)
    .filter((l) => !allowed.has(l))
    .map((l) => ({ selector: `ImportExpression[source.value=/(^|\\x2F)${l}\\x2F/]`, message: `src/${layer} may import only ${[...allowed].join(', ')} (layers.mjs), dynamically too.` }));
}

/** One block per top-level layer; its tests keep the Electron and node bans but may wire layers together. */
const layerBlocks = Object.keys(LAYERS).flatMap((layer) => [
  {
    files: [`src/${layer}/**/*.ts`, ...(layer === 'renderer' ? ['src/renderer/**/*.svelte'] : [])],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': restrict(layerPatterns(layer), NO_NODE.has(layer) ? nodeBuiltins : []) },
  },
  { files: [`src/${layer}/**/*.test.ts`], rules: { 'no-restricted-imports': restrict(layerPatterns(layer, { wiring: true }), NO_NODE.has(layer) ? nodeBuiltins : []) } },
]);
const cliExceptions = { files: Object.keys(CLI_CONTRACT_EXCEPTIONS), rules: { 'no-restricted-imports': restrict(layerPatterns('cli', { allServices: true })) } };

/** The engine's floors: from engine/<folder>, a folder on a higher floor is off limits. */
const floorOf = new Map(ENGINE_FLOORS.flatMap((folders, i) => folders.map((f) => [f, i])));
const floorBlocks = [...floorOf].map(([folder, floor]) => {
  const above = [...floorOf].filter(([, f]) => f > floor).map(([name]) => name);
  const patterns = [...layerPatterns('engine')];
  if (above.length) {
    patterns.push({ regex: `(^|/)\\.\\./(${above.join('|')})(/|$)`, message: `engine/${folder} is on floor ${floor}; ${above.join(', ')} are above it (layers.mjs ENGINE_FLOORS).` });
  }
  return { files: [`src/engine/${folder}/**/*.ts`], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': restrict(patterns) } };
});

const unknownFloor = { files: ['src/engine/*/**/*.ts'], ignores: [...floorOf.keys()].map((f) => `src/engine/${f}/**`), rules: { 'no-restricted-syntax': ['error', { selector: 'Program', message: 'This engine folder has no floor: add it to ENGINE_FLOORS in layers.mjs.' }] } };

// eslint-plugin-svelte is a devDependency; a checkout whose node_modules predates it still lints
// the TypeScript (and says so) rather than failing to load the config.
let svelteConfigs = [];
try {
  const svelte = (await import('eslint-plugin-svelte')).default;
  svelteConfigs = [
    ...svelte.configs['flat/recommended'],
    { files: ['**/*.svelte', '**/*.svelte.ts'], languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } } },
  ];
} catch {
  console.warn('eslint-plugin-svelte is not installed (npm install): .svelte files are not linted.');
}
/**
 * A string that is exactly a zoo model's id or Keras name, with or without an `.tag`
 * ('mobilenetv2', 'ResNet50', 'lenet5.scratch'). Only src/engine/zoo/ (the registry) may spell
 * one; everything else asks the registry (resolveModelId, bundledModel, defaultModelId).
 * src/engine/zoo/model-name-lint.test.ts checks that every registry id matches.
 */
export const MODEL_NAME_LITERAL = /^(xception|vgg1[69]|resnet(18|34|50|101|152)(v2)?|inception(v3|v4|resnetv2)|mobilenet(v2)?|densenet(121|169|201)|nasnet(mobile|large)|efficientnetb[0-7]|lenet-?5|alexnet|googlenet)(\.[a-z0-9_]+)?$/i;
const modelNameMessage = 'No model-name literals outside src/engine/zoo/: ask the registry (resolveModelId, bundledModel, defaultModelId) so a model has one name.';

const modelNameBans = [
  { selector: `Literal[value=${MODEL_NAME_LITERAL}]`, message: modelNameMessage },
  { selector: `TemplateLiteral[expressions.length=0] > TemplateElement[value.cooked=${MODEL_NAME_LITERAL}]`, message: modelNameMessage },
];
/** no-restricted-syntax per layer (one rule, so one block per file): model-name literals and dynamic imports across layers. */
const syntaxBlocks = [
  ...Object.keys(LAYERS).map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: ['src/engine/zoo/**', 'src/**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...modelNameBans, ...dynamicImportBans(layer)] },
  })),
  { files: ['src/engine/zoo/**/*.ts'], ignores: ['src/**/*.test.ts'], rules: { 'no-restricted-syntax': ['error', ...dynamicImportBans('engine')] } },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/results/**', ...(svelteConfigs.length ? [] : ['**/*.svelte'])] },
  ...tseslint.configs.recommended,
  ...svelteConfigs,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  ...layerBlocks,
  // Without entries the block would have an empty `files`, which eslint refuses.
  ...(cliExceptions.files.length ? [cliExceptions] : []),
  ...floorBlocks,
  // Before unknownFloor, which sets the same rule for engine folders without a floor and must win there.
  ...syntaxBlocks,
  unknownFloor,
  {
    files: ['src/engine/**/*.ts', 'src/store/**/*.ts'],
    rules: { 'no-console': ['error', { allow: ['warn', 'error'] }] },
  },
);
