// SPDX-License-Identifier: MIT
// Starts a worker thread from a module URL. From TypeScript sources (tsx, vitest) the worker
// needs the tsx loader too; from dist/ bundles the URL points at plain JavaScript.
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function createWorker(url: URL, options: WorkerOptions = {}): Worker {
  const execArgv = [...(options.execArgv ?? process.execArgv)];
  if (url.pathname.endsWith('.ts') && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
  return new Worker(url, { ...options, execArgv });
}
