// SPDX-License-Identifier: MIT
// Pairs saved layers with a model's layers, checks every shape, and only then writes the values,
// so a file that does not fit leaves the model untouched.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { SavedArray } from './h5-file';

/** One layer as stored in a file: its weights in the file's order. */
export interface SavedLayer {
  name: string;
  weights: SavedArray[];
}

export interface SkippedWeight {
  layer: string;
  weight?: string;
  expected?: number[];
  received?: number[];
  reason: string;
}

export interface ImportReport {
  file: string;
  format: 'keras-h5-weights' | 'keras-h5-model' | 'keras-v3' | 'tfjs-layers';
  /** Model layers that received every weight. */
  loaded: string[];
  /** What the file had that did not go in (skipMismatch, or no matching layer). */
  skipped: SkippedWeight[];
  /** Weighted model layers the file had nothing for (they keep their current values). */
  missing: string[];
  /** Count of variables written. */
  weightsLoaded: number;
}

export interface Pair {
  layer: tf.layers.Layer;
  saved: SavedLayer;
  /** How the saved layer is called in the file, for messages (may differ from the model's name). */
  savedName: string;
}

export interface ApplyOptions {
  skipMismatch?: boolean;
  /**
   * Match a layer's weights to the saved ones by short name (kernel, bias, gamma...) instead of
   * position. TF.js manifests list weights in their own order; Keras files in variable order.
   */
  matchWeightsByName?: boolean;
}

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** 'block_1_depthwise/depthwise_kernel:0' -> 'depthwise_kernel'; Keras 3 calls it 'kernel'. */
export function shortWeightName(name: string): string {
  const last = name.split('/').pop() ?? name;
  return last.replace(/:\d+$/, '').replace(/_\d+$/, '');
}

function orderByName(layer: tf.layers.Layer, saved: SavedArray[]): (SavedArray | undefined)[] {
  const byShort = new Map(saved.map((s) => [shortWeightName(s.name), s]));
  return layer.weights.map((v) => {
    const short = shortWeightName(v.originalName);
    return byShort.get(short) ?? (short === 'depthwise_kernel' ? byShort.get('kernel') : short === 'kernel' ? byShort.get('depthwise_kernel') : undefined);
  });
}

function mismatch(file: string, pair: Pair, what: string, details: Record<string, unknown>): AppError {
  return new AppError(
    'WEIGHTS_MISMATCH',
    `${file} does not fit this model at layer ${pair.layer.name}${pair.savedName !== pair.layer.name ? ` (${pair.savedName} in the file)` : ''}: ${what}. Build the model with the architecture and head the file was saved from, or import with skipMismatch.`,
    { file, layer: pair.layer.name, savedLayer: pair.savedName, ...details },
  );
}

/**
 * Checks every pair and then writes all values. Layers of `weightedLayers` not in any pair are
 * reported as missing.
 * @throws AppError WEIGHTS_MISMATCH on the first layer/weight that does not fit (unless skipMismatch).
 */
export function applyPairs(
  file: string,
  format: ImportReport['format'],
  pairs: Pair[],
  weightedLayers: tf.layers.Layer[],
  extraSkipped: SkippedWeight[],
  opts: ApplyOptions = {},
): ImportReport {
  const writes: [tf.LayerVariable, SavedArray][] = [];
  const report: ImportReport = { file, format, loaded: [], skipped: [...extraSkipped], missing: [], weightsLoaded: 0 };
  const touched = new Set<tf.layers.Layer>();
  for (const pair of pairs) {
    const vars = pair.layer.weights;
    touched.add(pair.layer);
    const ordered = opts.matchWeightsByName ? orderByName(pair.layer, pair.saved.weights) : pair.saved.weights;
    const countOk = opts.matchWeightsByName ? ordered.every(Boolean) && pair.saved.weights.length === vars.length : ordered.length === vars.length;
    if (!countOk) {
      const what = `the layer has ${vars.length} weight(s) (${vars.map((v) => shortWeightName(v.originalName)).join(', ')}), the file has ${pair.saved.weights.length} (${pair.saved.weights.map((w) => shortWeightName(w.name)).join(', ')})`;
      if (!opts.skipMismatch) throw mismatch(file, pair, what, { expectedCount: vars.length, receivedCount: pair.saved.weights.length });
      report.skipped.push({ layer: pair.layer.name, reason: what });
      continue;
    }
    let all = true;
    vars.forEach((v, i) => {
      const s = ordered[i] as SavedArray;
      if (sameShape(v.shape, s.shape)) {
        writes.push([v, s]);
        return;
      }
      const what = `weight ${shortWeightName(v.originalName)} expects shape [${v.shape.join(', ')}], the file has ${s.name} with shape [${s.shape.join(', ')}]`;
      if (!opts.skipMismatch) throw mismatch(file, pair, what, { weight: v.originalName, savedWeight: s.name, expected: v.shape, received: s.shape });
      report.skipped.push({ layer: pair.layer.name, weight: s.name, expected: v.shape as number[], received: s.shape, reason: 'shape mismatch' });
      all = false;
    });
    if (all) report.loaded.push(pair.layer.name);
  }
  report.missing = weightedLayers.filter((l) => !touched.has(l)).map((l) => l.name);
  const order = new Map(weightedLayers.map((l, i) => [l.name, i]));
  report.loaded.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  tf.tidy(() => {
    for (const [v, s] of writes) v.write(tf.tensor(s.values, s.shape, v.dtype === 'int32' ? 'int32' : 'float32'));
  });
  report.weightsLoaded = writes.length;
  return report;
}

/** The layers Keras's legacy loader counts: those with at least one weight, in model.layers order. */
export function weightedLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.weights.length > 0);
}
