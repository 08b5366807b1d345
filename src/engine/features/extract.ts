// SPDX-License-Identifier: MIT
// Runs the frozen part of a model on ONNX Runtime over image files and fills the feature cache.
// Decode workers resize ahead of the session (the training pipeline, unshuffled), images already
// in the cache are not decoded at all, and identical files (same sha256) are computed once.
import { isAbsolute, join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { sha256File } from '../../platform/hash';
import { AppError } from '../../shared/errors';
import type { DecodeOptions } from '../data/decode';
import { createBatchPipeline } from '../data/pipeline';
import type { SkippedFile } from '../data/types';
import { createSession, runSession } from '../onnx/runtime';
import { preprocessPixels } from '../zoo/preprocess';
import type { PreprocessMode } from '../zoo/types';
import type { FeatureCache } from './cache';

/** An image of a dataset split: the scan's relative path, class index and content hash. */
export interface FeatureItem {
  path: string;
  label: number;
  /** Lower-case hex sha256 of the file (the dataset scan has it); computed when absent. */
  sha256?: string;
}

export interface ExtractOptions {
  /** The frozen part: ONNX bytes or an open session. */
  frozen: Uint8Array | ort.InferenceSession;
  cache: FeatureCache;
  items: readonly FeatureItem[];
  root?: string;
  /** Side of the square input, or [height, width]. */
  imageSize: number | [number, number];
  preprocess: PreprocessMode;
  /** Decode settings other than the size (interpolation, alpha, crop, EXIF). */
  decode?: Omit<DecodeOptions, 'width' | 'height' | 'output'>;
  /** Images per ONNX Runtime call (default 64). */
  batchSize?: number;
  /** Decodes at once, times two (default: the decode pool's capacity). */
  workers?: number;
  /** The decoded-image cache folder (absent: nothing cached). */
  imageCacheDir?: string;
  /** ONNX Runtime intra-op threads (default: every core). */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; imagesPerSec: number }) => void;
  onSkip?: (s: SkippedFile) => void;
}

export interface ExtractStats {
  /** Items asked for. */
  images: number;
  /** Distinct images that were already cached. */
  cached: number;
  /** Distinct images computed now. */
  extracted: number;
  /** Files the decoder refused (they get no features). */
  skipped: number;
  /** Wall time of the extraction, decode included. */
  seconds: number;
  /** Time inside ONNX Runtime's run() (the floor the pipeline is compared with). */
  sessionSeconds: number;
  /** extracted / seconds (0 when nothing was extracted). */
  imagesPerSec: number;
}


/** Returns the items with `sha256` filled in (hashing the files that lack it, a few at a time). */
export async function withContentHashes(items: readonly FeatureItem[], root?: string): Promise<(FeatureItem & { sha256: string })[]> {
  const out = items.map((it) => ({ ...it })) as (FeatureItem & { sha256: string })[];
  const todo = out.filter((it) => !it.sha256);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const it = todo[next++];
      const file = root && !isAbsolute(it.path) ? join(root, it.path) : it.path;
      try {
        it.sha256 = await sha256File(file);
      } catch (err) {
        throw new AppError('FILE_UNREADABLE', `Cannot read ${file} to hash it: ${(err as Error).message}. Re-scan the dataset.`, { file }, { cause: err });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

/**
 * Computes features for every item not yet in `opts.cache` and writes them there (flushed at the
 * end, so a second call starts at once). Bad files are skipped and reported through `onSkip`.
 * @throws AppError CANCELLED (signal), FILE_UNREADABLE (hashing), INTERNAL (decode worker died).
 */
export async function extractFeatures(opts: ExtractOptions): Promise<ExtractStats> {
  const started = performance.now();
  const [h, w] = typeof opts.imageSize === 'number' ? [opts.imageSize, opts.imageSize] : opts.imageSize;
  const items = await withContentHashes(opts.items, opts.root);
  const todo = new Map<string, FeatureItem & { sha256: string }>();
  for (const it of items) if (!opts.cache.has(it.sha256) && !todo.has(it.sha256)) todo.set(it.sha256, it);
  const distinct = new Set(items.map((it) => it.sha256)).size;
  const stats: ExtractStats = { images: items.length, cached: distinct - todo.size, extracted: 0, skipped: 0, seconds: 0, sessionSeconds: 0, imagesPerSec: 0 };
  if (todo.size === 0) {
    stats.seconds = (performance.now() - started) / 1000;
    return stats;
  }
  const ownSession = opts.frozen instanceof Uint8Array;
  const session = opts.frozen instanceof Uint8Array ? await createSession(opts.frozen, { threads: opts.threads }) : opts.frozen;
  const byPath = new Map<string, string>();
  const list = [...todo.values()];
  for (const it of list) byPath.set(it.path, it.sha256);
  try {
    const pipe = createBatchPipeline({
      items: list.map((it) => ({ path: it.path, label: it.label, sha256: it.sha256 })),
      root: opts.root,
      batchSize: opts.batchSize ?? 64,
      decode: { ...opts.decode, width: w, height: h },
      workers: opts.workers,
      imageCacheDir: opts.imageCacheDir,
      prefetchBatches: 3,
      signal: opts.signal,
      onSkip: (s) => {
        stats.skipped++;
        opts.onSkip?.(s);
      },
    });
    for await (const b of pipe) {
      const x = preprocessPixels(b.x.subarray(0, b.paths.length * h * w * 3), opts.preprocess);
      const t0 = performance.now();
      const r = await runSession(session, x, [b.paths.length, h, w, 3]);
      stats.sessionSeconds += (performance.now() - t0) / 1000;
      opts.cache.append(b.paths.map((p) => byPath.get(p) as string), r.data);
      stats.extracted += b.paths.length;
      const elapsed = (performance.now() - started) / 1000;
      opts.onProgress?.({ done: stats.extracted + stats.skipped, total: list.length, imagesPerSec: stats.extracted / elapsed });
    }
    opts.cache.flush();
  } finally {
    if (ownSession) await session.release();
  }
  stats.seconds = (performance.now() - started) / 1000;
  stats.imagesPerSec = stats.extracted / stats.seconds;
  return stats;
}
