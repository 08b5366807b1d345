// SPDX-License-Identifier: MIT
// Runs a model over a batch source (inference mode) and scores its predictions.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { BatchSource } from '../data/batch-source';
import { evaluatePredictions, type Evaluation } from './metrics';

export interface Predictions {
  yTrue: Int32Array;
  /** Flat [n * numClasses] softmax scores. */
  probs: Float32Array;
  ids?: string[];
}

export interface PredictOptions {
  imageSize: number;
  numClasses: number;
  signal?: AbortSignal;
  /** After each batch, with the examples predicted so far (progress for the UI). */
  onBatch?: (done: number) => void;
  /** Keras preprocess_input of the backbone, for sources that yield 0..255 pixels. */
  preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
}

/** Predictions of `model` for every example of `source`, in source order. */
export async function predictSource(model: tf.LayersModel, source: BatchSource, opts: PredictOptions): Promise<Predictions> {
  const ys: Int32Array[] = [];
  const ps: Float32Array[] = [];
  const ids: string[] = [];
  let withIds = true;
  for await (const b of source.epoch(0)) {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Evaluation was cancelled.');
    const n = b.y.length;
    const shape = b.shape ?? [n, opts.imageSize, opts.imageSize, b.x.length / (n * opts.imageSize * opts.imageSize)];
    const x = tf.tensor4d(b.x, shape);
    const p = tf.tidy(() => model.predict(opts.preprocess ? opts.preprocess(x) : x) as tf.Tensor);
    ps.push((await p.data()) as Float32Array);
    tf.dispose([x, p]);
    ys.push(b.y);
    opts.onBatch?.(ys.reduce((a, y) => a + y.length, 0));
    const bIds = b.ids ?? b.paths;
    if (bIds) ids.push(...bIds);
    else withIds = false;
  }
  const yTrue = new Int32Array(ys.reduce((a, y) => a + y.length, 0));
  const probs = new Float32Array(yTrue.length * opts.numClasses);
  let at = 0;
  ys.forEach((y, i) => {
    yTrue.set(y, at);
    probs.set(ps[i], at * opts.numClasses);
    at += y.length;
  });
  return { yTrue, probs, ...(withIds && ids.length === yTrue.length ? { ids } : {}) };
}

/** Predicts over `source` and returns every metric of metrics.ts. */
export async function evaluateModel(
  model: tf.LayersModel,
  source: BatchSource,
  opts: PredictOptions & { classNames?: string[] },
): Promise<Evaluation> {
  const pred = await predictSource(model, source, opts);
  return evaluatePredictions(pred.yTrue, pred.probs, opts.numClasses, { classNames: opts.classNames, ids: pred.ids });
}
