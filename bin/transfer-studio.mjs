#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Runs the CLI from the built bundle when there is one, else straight from the TypeScript sources.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
let entry;
if (existsSync(bundle) && !process.env.TRANSFER_STUDIO_FROM_SOURCE) {
  entry = pathToFileURL(bundle).href;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/cli/main.ts', import.meta.url).href;
}
const { main } = await import(entry);
const code = await main(process.argv);
if (!process.argv.includes('serve')) process.exitCode = code;
