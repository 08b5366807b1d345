// SPDX-License-Identifier: MIT
// The one description of the house's layers, read by eslint.config.js (which enforces it) and by
// test/architecture.test.ts (which checks that docs/architecture.md shows the same table and that
// every exception below is still needed).

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
 * CLI files that still call services directly, each with why. Move a file to callEngine and delete
 * its entry; test/architecture.test.ts fails on an entry whose file no longer needs it.
 */
export const CLI_CONTRACT_EXCEPTIONS = {
  'src/cli/commands/classify.ts':
    "runs its job in the foreground with flags classify.start does not carry (--batch-size, --engine) and prints the run's speed and engine, which the contract does not return",
  'src/cli/commands/doctor.ts': 'reads the database without creating it; callEngine opens (and so creates) it',
};

/**
 * The engine's floors, bottom first: a folder imports from its own floor and the floors below,
 * never from a floor above. No file is exempt (training has one home since d10bc54).
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

