// SPDX-License-Identifier: MIT
// Starts a worker thread from a module URL. From dist/ bundles the URL is plain JavaScript and
// loads directly. From TypeScript sources (tsx, vitest) the worker needs the tsx loader first:
// `execArgv: ['--import', 'tsx']` does not apply to a worker's entry module on Node 20, so a
// two-line bootstrap registers tsx inside the worker and then imports the real module.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

function tsxApiUrl(): string {
  return pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
}

export function createWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  // Inside the Electron bundle every worker is built as a sibling .js of the main bundle.
  const bundled = new URL(`./${path.basename(url.pathname, '.ts')}.js`, import.meta.url);
  if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(bundled))) return new Worker(bundled, options);
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
