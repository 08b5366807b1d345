// SPDX-License-Identifier: MIT
// The training input pipeline: worker threads decode and resize images ahead of the consumer,
// and batches come out in a fixed order. At most `(prefetchBatches + 1) × batchSize` decoded
// images wait at once, so memory stays flat whatever the dataset size. A file that turns out to
// be bad only now (changed since the scan) is reported and skipped.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
import type { AugmentConfig } from './augment';
import type { DecodeOptions } from './decode';
import type { DecodeRequest, DecodeResponse } from './pipeline-protocol';
import { createRng, deriveSeed, shuffleInPlace } from './rng';
import type { SkipCode, SkippedFile } from './types';

export interface PipelineItem {
  /** Absolute, or relative to `root`. */
  path: string;
  /** Class index. */
  label: number;
}

export interface PipelineOptions {
  items: readonly PipelineItem[];
  root?: string;
  batchSize: number;
  /** Target size and decode settings; output is always float32 0..255. */
  decode: Omit<DecodeOptions, 'output'>;
  /** Shuffle the order each epoch (seeded by `seed` and `epoch`). */
  shuffle?: boolean;
  seed?: number;
  epoch?: number;
  augment?: AugmentConfig;
  /** Decode threads (default 2). */
  workers?: number;
  /** Batches decoded ahead of the consumer (default 2). */
  prefetchBatches?: number;
  /** Drop a last batch smaller than `batchSize`. */
  dropRemainder?: boolean;
  signal?: AbortSignal;
  onSkip?: (s: SkippedFile) => void;
  /** Where the worker script is, for bundles that emit it under another name. */
  workerUrl?: URL;
}

export interface Batch {
  /** NHWC, float32, 0..255. */
  x: Float32Array;
  y: Int32Array;
  paths: string[];
  shape: [number, number, number, 3];
}

export interface BatchPipeline extends AsyncIterable<Batch> {
  /** Stops the workers; a running iteration ends with AppError CANCELLED. */
  cancel(): void;
  /** Files skipped so far in this iteration. */
  readonly skipped: readonly SkippedFile[];
  /** The most decoded-or-decoding images held ahead of the consumer in the last iteration. */
  readonly maxAhead: number;
}

/**
 * Starts a decode worker. From TypeScript source (tsx, vitest) the worker goes through tsx's
 * API, because on Node 20 neither `.ts` worker entries nor `--import tsx` in `execArgv` reach
 * worker threads; from a bundle it loads the sibling `decode-worker.js`.
 */
export function spawnDecodeWorker(workerUrl?: URL): Worker {
  const execArgv = workerExecArgv(process.execArgv);
  if (workerUrl) return new Worker(workerUrl, { execArgv });
  if (import.meta.url.endsWith('.ts')) {
    const entry = new URL('./decode-worker.ts', import.meta.url).href;
    const api = tsxEsmApiUrl();
    const boot = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
    return new Worker(boot, { eval: true, execArgv });
  }
  return new Worker(new URL('./decode-worker.js', import.meta.url), { execArgv });
}

/** The parent's flags (loaders, conditions) minus those Node refuses in a worker with a file entry. */
export function workerExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--input-type=')) continue;
    if (a === '--input-type') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** tsx's ESM API entry, read from its exports map: require.resolve would give the CJS build. */
function tsxEsmApiUrl(): string {
  const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
}

function checkOptions(o: PipelineOptions): void {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
    throw new AppError('INVALID_ARGUMENT', `Expected batchSize to be a positive integer. Received: ${o.batchSize}.`);
  }
  for (const it of o.items) {
    if (!Number.isInteger(it.label) || it.label < 0) {
      throw new AppError('INVALID_ARGUMENT', `Expected a class index ≥ 0 for ${it.path}. Received: ${it.label}.`);
    }
  }
}

interface Deferred {
  promise: Promise<DecodeResponse>;
  resolve: (r: DecodeResponse) => void;
  reject: (e: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: Deferred['resolve'];
  let reject!: Deferred['reject'];
  const promise = new Promise<DecodeResponse>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A cancel rejects results nobody awaits yet; mark them handled so Node does not report them.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Creates a batch pipeline over `items`; each `for await` runs one epoch with fresh workers.
 * @throws AppError INVALID_ARGUMENT (bad batch size or labels); iteration throws CANCELLED or INTERNAL (a worker died).
 */
export function createBatchPipeline(opts: PipelineOptions): BatchPipeline {
  checkOptions(opts);
  const skipped: SkippedFile[] = [];
  let cancelFn: (() => void) | undefined;
  let cancelled = false;
  const stats = { maxAhead: 0 };
  const pipeline: BatchPipeline = {
    get skipped() {
      return skipped;
    },
    get maxAhead() {
      return stats.maxAhead;
    },
    cancel() {
      cancelled = true;
      cancelFn?.();
    },
    [Symbol.asyncIterator]() {
      skipped.length = 0;
      stats.maxAhead = 0;
      return run(opts, skipped, stats, (fn) => (cancelFn = fn), () => cancelled)[Symbol.asyncIterator]();
    },
  };
  return pipeline;
}

async function* run(
  o: PipelineOptions,
  skipped: SkippedFile[],
  stats: { maxAhead: number },
  onCancel: (fn: () => void) => void,
  isCancelled: () => boolean,
): AsyncGenerator<Batch> {
  const { width: W, height: H } = o.decode;
  const px = W * H * 3;
  const seed = o.seed ?? 1337;
  const epoch = o.epoch ?? 0;
  const order = o.items.map((_, i) => i);
  if (o.shuffle) shuffleInPlace(order, createRng(deriveSeed(seed, 'shuffle', epoch)));
  const window = ((o.prefetchBatches ?? 2) + 1) * o.batchSize;
  const nWorkers = Math.max(1, Math.min(o.workers ?? 2, 8));
  const perWorker = 2;
  const workers: Worker[] = [];
  const load: number[] = [];
  const pending = new Map<number, Deferred>();
  let issued = 0;
  let consumed = 0;
  let fatal: unknown;

  const failAll = (err: unknown) => {
    fatal ??= err;
    for (const d of pending.values()) d.reject(fatal);
  };
  const stop = () => failAll(new AppError('CANCELLED', 'The input pipeline was cancelled.'));
  onCancel(stop);
  const abort = () => stop();
  o.signal?.addEventListener('abort', abort);
  if (o.signal?.aborted || isCancelled()) stop();

  const pump = () => {
    while (!fatal && issued < order.length && issued < consumed + window) {
      let w = 0;
      for (let i = 1; i < nWorkers; i++) if (load[i] < load[w]) w = i;
      if (load[w] >= perWorker) return;
      const pos = issued++;
      const idx = order[pos];
      const it = o.items[idx];
      const file = o.root && !isAbsolute(it.path) ? join(o.root, it.path) : it.path;
      const req: DecodeRequest = { id: pos, file, decode: o.decode, augment: o.augment, seed: deriveSeed(seed, 'aug', epoch, idx) };
      load[w]++;
      pending.set(pos, deferred());
      workers[w].postMessage(req);
      stats.maxAhead = Math.max(stats.maxAhead, issued - consumed);
    }
  };

  try {
    for (let i = 0; i < nWorkers; i++) {
      const w = spawnDecodeWorker(o.workerUrl);
      w.on('message', (res: DecodeResponse) => {
        load[i]--;
        pending.get(res.id)?.resolve(res);
        pump();
      });
      w.on('error', (e) => failAll(new AppError('INTERNAL', `A decode worker failed: ${e.message}`, {}, { cause: e })));
      w.on('exit', (code) => {
        if (!fatal) failAll(new AppError('INTERNAL', `A decode worker exited unexpectedly (code ${code}).`));
      });
      workers.push(w);
      load.push(0);
    }
    if (fatal) throw fatal;
    pump();

    let x = new Float32Array(o.batchSize * px);
    let y = new Int32Array(o.batchSize);
    let paths: string[] = [];
    for (let pos = 0; pos < order.length; pos++) {
      // pump() has always issued `pos` by now unless the pipeline failed or was cancelled.
      const d = pending.get(pos);
      if (!d) throw fatal ?? new AppError('INTERNAL', `Image ${pos} was never sent to a decode worker.`);
      const res = await d.promise;
      pending.delete(pos);
      consumed++;
      const it = o.items[order[pos]];
      if (res.ok) {
        if (res.data.length !== px) {
          throw new AppError('INTERNAL', `Expected ${px} values for ${it.path}. Received: ${res.data.length}.`);
        }
        x.set(res.data, paths.length * px);
        y[paths.length] = it.label;
        paths.push(it.path);
      } else {
        const code = (res.error.details?.skipCode as SkipCode | undefined) ?? 'CORRUPT';
        const s: SkippedFile = { path: it.path, code, reason: res.error.message };
        skipped.push(s);
        o.onSkip?.(s);
      }
      pump();
      if (paths.length === o.batchSize) {
        yield { x, y, paths, shape: [paths.length, H, W, 3] };
        if (fatal) throw fatal;
        x = new Float32Array(o.batchSize * px);
        y = new Int32Array(o.batchSize);
        paths = [];
      }
    }
    if (paths.length > 0 && !o.dropRemainder) {
      const n = paths.length;
      yield { x: x.slice(0, n * px), y: y.slice(0, n), paths, shape: [n, H, W, 3] };
    }
  } finally {
    o.signal?.removeEventListener('abort', abort);
    fatal ??= new AppError('CANCELLED', 'The input pipeline was closed.');
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
