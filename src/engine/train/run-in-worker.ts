// SPDX-License-Identifier: MIT
// Runs trainModel in a worker thread so the UI / server event loop stays responsive; events
// come back as plain DTOs and an AbortSignal cancels between two batches.
import { AppError, deserializeError } from '../../shared/errors';
import { createWorker } from '../../platform/worker';
import type { BatchEvent, EpochRecord } from './types';
import type { FromWorker, ToWorker, WorkerJob, WorkerResult } from './worker-protocol';

export type { ModuleRef, WorkerJob, WorkerResult } from './worker-protocol';

export interface WorkerHooks {
  onBatch?: (e: BatchEvent) => void;
  onEpoch?: (e: EpochRecord) => void;
  signal?: AbortSignal;
  /**
   * The worker entry. Default: train-worker.ts beside this file from sources, train-worker.js
   * beside the bundle otherwise (a bundler must emit it as its own entry point).
   */
  workerUrl?: URL;
}

function defaultWorkerUrl(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './train-worker.ts' : './train-worker.js', import.meta.url);
}

/**
 * Trains `job` in a worker thread.
 * @throws AppError CANCELLED when `signal` fires, or the worker's own error (code kept).
 */
export function runTrainingInWorker(job: WorkerJob, hooks: WorkerHooks = {}): Promise<WorkerResult> {
  return new Promise<WorkerResult>((resolve, reject) => {
    const worker = createWorker(hooks.workerUrl ?? defaultWorkerUrl());
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const send = (m: ToWorker) => worker.postMessage(m);
    const onAbort = () => send({ type: 'cancel' });
    if (hooks.signal?.aborted) {
      finish(() => reject(new AppError('CANCELLED', 'Training was cancelled before it started.')));
      return;
    }
    hooks.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'batch':
          hooks.onBatch?.(m.event);
          break;
        case 'epoch':
          hooks.onEpoch?.(m.record);
          break;
        case 'done':
          finish(() => resolve(m.result));
          break;
        case 'error':
          finish(() => reject(deserializeError(m.error)));
          break;
      }
    });
    worker.on('error', (err) => finish(() => reject(new AppError('INTERNAL', `The training worker crashed: ${err.message}`, undefined, { cause: err }))));
    worker.on('exit', (code) => finish(() => reject(new AppError('INTERNAL', `The training worker exited (code ${code}) before reporting a result.`))));
    send({ type: 'start', job });
  });
}
