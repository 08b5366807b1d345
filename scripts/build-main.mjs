// SPDX-License-Identifier: MIT
// Bundles the Electron main process (ESM), the sandboxed preload (CommonJS: sandboxed preloads
// cannot load ES modules) and every worker module next to the main bundle.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

function findWorkers(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return findWorkers(p);
    // A worker module is one that talks to its parent; clients that start workers are not bundled apart.
    return e.name.endsWith('-worker.ts') && readFileSync(p, 'utf8').includes('parentPort') ? [p] : [];
  });
}

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: {
    'main/electron-main': 'src/main/electron-main.ts',
    // The engine host process (utilityProcess in Electron); see src/host/host-client.ts:hostEntry.
    'main/engine-host': 'src/host/host-entry.ts',
    ...Object.fromEntries(findWorkers('src').map((w) => [`main/${path.basename(w, '.ts')}`, w])),
    // Modules a worker imports by path at run time (see workerModule() in services/train-runner.ts).
    'main/train-folder-data': 'src/engine/runs/folder-data.ts',
    
  },
  outdir: 'dist',
  format: 'esm',
  packages: 'external',
  // Bundled ESM still needs require() for native modules loaded through createRequire.
  banner: { js: "import { createRequire as __tsCreateRequire } from 'node:module'; const require = __tsCreateRequire(import.meta.url);" },
});
await build({ ...common, entryPoints: { 'preload/preload': 'src/preload/preload.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, format: 'cjs', external: ['electron'] });
console.log('built dist/main and dist/preload');
