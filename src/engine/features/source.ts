// SPDX-License-Identifier: MIT
// A BatchSource over cached features, so trainModel trains only what sits above the freeze
// boundary. Its per-epoch order is the data pipeline's (same seed, same shuffle), which is what
// lets a fast-path run repeat the pure TF.js run batch for batch.
import { AppError } from '../../shared/errors';
import { createRng, deriveSeed, shuffleInPlace } from '../data/rng';
import type { Batch, BatchSource } from '../data/batch-source';
import type { FeatureCache } from './cache';
import type { FeatureItem } from './extract';

export interface FeatureSourceOptions {
  batchSize: number;
  /** Reshuffle every epoch from (seed, epoch), as pipelineSource does. */
  shuffle?: boolean;
  /** The pipeline's default seed is 1337; pass the same seed to get the same order. */
  seed?: number;
  /** Class count (default: largest label + 1). */
  numClasses?: number;
}

export interface FeatureSource extends BatchSource {
  /** Items left out because the cache has no row for them (files the decoder refused). */
  readonly missing: readonly FeatureItem[];
}

/**
 * Batches of cached features for `items` (each with its sha256). Rows are read from disk per
 * batch, so memory holds one batch. `x` has the shape [n, ...cache.featureShape] (rank 4).
 * @throws AppError INVALID_ARGUMENT for a bad batch size, an item without sha256, or a non-rank-3 feature shape.
 */
export function featureSource(cache: FeatureCache, items: readonly FeatureItem[], opts: FeatureSourceOptions): FeatureSource {
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
    throw new AppError('INVALID_ARGUMENT', `featureSource: batchSize must be a positive integer. Received: ${opts.batchSize}.`);
  }
  if (cache.featureShape.length !== 3) {
    throw new AppError('INVALID_ARGUMENT', `featureSource needs [h, w, c] features. Received shape ${JSON.stringify(cache.featureShape)}; store pooled vectors as [1, 1, c].`);
  }
  const noHash = items.find((it) => !it.sha256);
  if (noHash) throw new AppError('INVALID_ARGUMENT', `featureSource: item ${noHash.path} has no sha256. Pass items from withContentHashes or the dataset scan.`);
  const present = items.filter((it) => cache.has(it.sha256 as string));
  const missing = items.filter((it) => !cache.has(it.sha256 as string));
  const k = opts.numClasses ?? present.reduce((m, it) => Math.max(m, it.label + 1), 0);
  const classCounts = new Array<number>(k).fill(0);
  for (const it of present) classCounts[it.label]++;
  const seed = opts.seed ?? 1337;
  const [fh, fw, fc] = cache.featureShape;
  // Indices over the full item list, as the pipeline shuffles them, then absent rows dropped.
  const all = items.map((_, i) => i);
  const has = items.map((it) => cache.has(it.sha256 as string));

  async function* epoch(index: number): AsyncGenerator<Batch> {
    const order = all.slice();
    if (opts.shuffle) shuffleInPlace(order, createRng(deriveSeed(seed, 'shuffle', index)));
    const kept = order.filter((i) => has[i]);
    for (let start = 0; start < kept.length; start += opts.batchSize) {
      const idx = kept.slice(start, start + opts.batchSize);
      const x = cache.read(idx.map((i) => items[i].sha256 as string));
      const y = Int32Array.from(idx, (i) => items[i].label);
      yield { x, y, shape: [idx.length, fh, fw, fc], paths: idx.map((i) => items[i].path) };
    }
  }
  return { size: present.length, classCounts, missing, epoch };
}
