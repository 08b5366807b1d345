// SPDX-License-Identifier: MIT
// The app's root folder (where package.json and resources/ are), found by walking up from this
// module, so the same code works from TypeScript sources, from dist/ bundles and from inside asar.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function appRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'resources'))) return (root = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the Transfer Studio app folder above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function resourcePath(...parts: string[]): string {
  return path.join(appRoot(), 'resources', ...parts);
}
