// SPDX-License-Identifier: MIT
// The one description of the house's layers, read by eslint.config.js (which enforces it) and by
// docs/architecture.test.ts (which checks that docs/architecture.md shows the same table).

/** Top-level folders of src/ and the folders each may import from (besides itself). */
export const LAYERS = {
  shared: [],
  platform: ['shared'],
  engine: ['shared', 'platform'],
  store: ['shared', 'platform'],
  services: ['shared', 'platform', 'engine', 'store'],
  host: ['shared', 'platform', 'engine', 'store', 'services'],
  server: ['shared', 'platform'],
  cli: ['shared', 'platform', 'store', 'host', 'server', 'services'],
  main: ['shared', 'platform', 'host', 'services'],
  preload: ['shared'],
  renderer: ['shared'],
};

/**
 * What the CLI and main may take from services: the CLI reaches the engine only through the contract
 * (cli/context.ts's callEngine builds the API), main only reads the app's name and version.
 */
export const SERVICE_MODULES_ALLOWED = {
  cli: ['services/api', 'services/app-info'],
  main: ['services/app-info'],
};

/**
 * CLI files that still call services directly, with why: `classify` runs its job in the foreground
 * with flags the contract does not carry (--workers, --batch, --engine) and `doctor` prints a report
 * with options of its own. Move them to callEngine and delete the entries.
 */
export const CLI_CONTRACT_EXCEPTIONS = ['src/cli/commands/classify.ts', 'src/cli/commands/doctor.ts'];

/**
 * The engine's floors, bottom first: a folder imports from its own floor and the floors below,
 * never from a floor above.
 */
export const ENGINE_FLOORS = [
  ['backend', 'zoo'],
  ['data', 'weights'],
  ['onnx'],
  ['features'],
  ['eval', 'artifacts'],
  ['train', 'runs'],
  ['classify', 'export'],
];

/**
 * Imports that still run up a floor, by file, until training has one home (issue 19, "training in
 * one home"): delete an entry once its file stops importing upward. New entries are not welcome.
 */
export const ENGINE_FLOOR_EXCEPTIONS = [
  'src/engine/features/fast-path.ts',
  'src/engine/features/folder-images.ts',
  'src/engine/features/source.ts',
  'src/engine/features/fashion-mnist-bench.ts',
  'src/engine/eval/evaluate.ts',
  'src/engine/artifacts/model-artifact.ts',
];
