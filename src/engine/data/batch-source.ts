// SPDX-License-Identifier: MIT
// What training and evaluation consume: batches of pixels or features, re-iterable per epoch.
// It lives with the data module so evaluation and the feature cache need nothing from train/.

/**
 * One batch: `x` is NHWC float32, `y` class indices. Pixels are 0..255 when the backbone has a
 * `preprocess` (the zoo loader sets it from the spec), otherwise already what the model expects.
 */
export interface Batch {
  x: Float32Array;
  y: Int32Array;
  /** Optional [n, h, w, c]; otherwise n = y.length and h = w = imageSize, c = 3. */
  shape?: [number, number, number, number];
  /** Optional ids per example, carried into the misclassified list. */
  ids?: string[];
  /** File paths per example (the data pipeline's name for ids). */
  paths?: string[];
}

/**
 * A re-iterable source of batches. `epoch(i)` (0-based) lets a source reshuffle reproducibly,
 * which is what makes a resumed run repeat the uninterrupted one.
 */
export interface BatchSource {
  /** Number of examples (not batches). */
  readonly size: number;
  /** Examples per class, used by `classWeights: 'balanced'`. */
  readonly classCounts?: readonly number[];
  epoch(index: number): AsyncIterable<Batch>;
}

/** A plain async iterable with a size also works; it is re-iterated every epoch. */
export type BatchSourceLike = BatchSource | (AsyncIterable<Batch> & { readonly size: number; readonly classCounts?: readonly number[] });
