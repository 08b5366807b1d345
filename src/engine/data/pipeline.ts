// SPDX-License-Identifier: MIT
// The training input pipeline: the process's decode pool decodes and resizes images ahead of the
// consumer (through the decoded-image cache when one is given), and batches come out in a fixed order. At most `(prefetchBatches + 1) × batchSize` decoded
// images wait at once, so memory stays flat whatever the dataset size. A file that turns out to
// be bad only now (changed since the scan) is reported and skipped.
import { isAbsolute, join } from 'node:path';
import { AppError } from '../../shared/errors';
import type { AugmentConfig } from './augment';
import type { DecodeOptions } from './decode';
import { getDecodePool, maybePruneImageCache } from './decode-pool';
import type { DecodeResponse } from './pipeline-protocol';
import { createRng, deriveSeed, shuffleInPlace } from './rng';
import type { SkipCode, SkippedFile } from './types';

export interface PipelineItem {
  /** Absolute, or relative to `root`. */
  path: string;
  /** Class index. */
  label: number;
  /** The file's sha256 when known (the dataset scan has it): saves a read for the cache key. */
  sha256?: string;
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
  /** Decodes this pipeline keeps running at once (default: the decode pool's capacity). */
  workers?: number;
  /** The decoded-image cache folder (absent: every epoch decodes every file). */
  imageCacheDir?: string;
  /** Batches decoded ahead of the consumer (default 2). */
  prefetchBatches?: number;
  /** Drop a last batch smaller than `batchSize`. */
  dropRemainder?: boolean;
  signal?: AbortSignal;
  onSkip?: (s: SkippedFile) => void;
  /** Where the worker script is, for bundles that emit it under another name. */
  workerUrl?: URL;
}

export interface PipelineCacheStats {
  hits: number;
  misses: number;
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
  /** Decoded-image cache hits and misses in the last iteration. */
  readonly cache: PipelineCacheStats;
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
 * Creates a batch pipeline over `items`; each `for await` runs one epoch on the shared decode pool.
 * @throws AppError INVALID_ARGUMENT (bad batch size or labels); iteration throws CANCELLED or INTERNAL (a worker died).
 */
export function createBatchPipeline(opts: PipelineOptions): BatchPipeline {
  checkOptions(opts);
  const skipped: SkippedFile[] = [];
  let cancelFn: (() => void) | undefined;
  let cancelled = false;
  const stats = { maxAhead: 0, cache: { hits: 0, misses: 0 } };
  const pipeline: BatchPipeline = {
    get skipped() {
      return skipped;
    },
    get maxAhead() {
      return stats.maxAhead;
    },
    get cache() {
      return stats.cache;
    },
    cancel() {
      cancelled = true;
      cancelFn?.();
    },
    [Symbol.asyncIterator]() {
      skipped.length = 0;
      stats.maxAhead = 0;
      stats.cache = { hits: 0, misses: 0 };
      return run(opts, skipped, stats, (fn) => (cancelFn = fn), () => cancelled)[Symbol.asyncIterator]();
    },
  };
  return pipeline;
}

async function* run(
  o: PipelineOptions,
  skipped: SkippedFile[],
  stats: { maxAhead: number; cache: PipelineCacheStats },
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
  const pool = getDecodePool(o.workerUrl);
  const running = Math.max(1, o.workers ? o.workers * 2 : pool.capacity);
  const pending = new Map<number, Deferred>();
  let issued = 0;
  let answered = 0;
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

  // Backpressure: at most `window` images decoded or decoding ahead of the consumer, and at most
  // `running` of them in the pool at once, so other users of the pool keep their share.
  const pump = () => {
    while (!fatal && issued < order.length && issued < consumed + window && issued - answered < running) {
      const pos = issued++;
      const idx = order[pos];
      const it = o.items[idx];
      const file = o.root && !isAbsolute(it.path) ? join(o.root, it.path) : it.path;
      const req = { file, decode: o.decode, augment: o.augment, seed: deriveSeed(seed, 'aug', epoch, idx), cacheDir: o.imageCacheDir, sha256: it.sha256 };
      const d = deferred();
      pending.set(pos, d);
      pool.decode(req).then(
        (res) => {
          answered++;
          if (res.ok) {
            if (res.hit) stats.cache.hits++;
            else stats.cache.misses++;
          }
          d.resolve(res);
          pump();
        },
        (err) => {
          answered++;
          failAll(err);
        },
      );
      stats.maxAhead = Math.max(stats.maxAhead, issued - consumed);
    }
  };

  try {
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
    if (o.imageCacheDir) maybePruneImageCache(o.imageCacheDir, pool.stats.wroteBytes);
  }
}
