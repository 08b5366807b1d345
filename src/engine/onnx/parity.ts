// SPDX-License-Identifier: MIT
// Checks an exported model against TF.js on the same inputs. Used by the parity tests and by
// `exportModel`-style callers that want to verify an export before shipping it.
import * as tf from '@tensorflow/tfjs';
import '../backend/quiet';
import { convertModel, type ConvertOptions } from './convert';
import { createSession, runSession } from './runtime';
import { createRng } from '../data/rng';

/** Seeded uniform numbers in [0, 1) for test weights and inputs (the data pipeline's mulberry32). */
export function seededRandom(seed: number): () => number {
  return createRng(seed).next;
}

function uniform(rand: () => number, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/**
 * Gives BatchNormalization statistics, biases and normalisation layers non-trivial values (fresh
 * models have mean 0, variance 1, bias 0, which would hide folding and layout bugs). Kernels keep
 * their initialiser's values. Ranges keep deep random networks from blowing up or dying out.
 */
export function randomizeWeights(model: tf.LayersModel, seed = 1): void {
  const rand = seededRandom(seed);
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      randomizeWeights(layer, seed + 7);
      continue;
    }
    if (layer.weights.length === 0) continue;
    const values = layer.getWeights();
    const next = layer.weights.map((w, i) => {
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      const n = values[i].size;
      const shape = values[i].shape;
      switch (short) {
        case 'gamma':
          return tf.tensor(uniform(rand, n, 0.6, 1.2), shape);
        case 'beta':
        case 'bias':
          return tf.tensor(uniform(rand, n, -0.2, 0.2), shape);
        case 'moving_mean':
        case 'mean':
          return tf.tensor(uniform(rand, n, -0.3, 0.3), shape);
        case 'moving_variance':
        case 'variance':
          return tf.tensor(uniform(rand, n, 0.5, 2), shape);
        default:
          return values[i];
      }
    });
    layer.setWeights(next);
    next.forEach((t, i) => t !== values[i] && t.dispose());
  }
}

export interface ParityResult {
  maxAbsDiff: number;
  /** Largest |value| of the TF.js output, to judge the difference against. */
  maxAbsRef: number;
  outputShape: number[];
  onnxBytes: number;
}

/**
 * Runs `model` on TF.js and its ONNX export on ONNX Runtime with the same random NHWC batch
 * (uniform in [-1, 1]) and returns the largest absolute difference of the first output.
 */
export async function checkParity(
  model: tf.LayersModel,
  batch: number,
  opts: ConvertOptions & { seed?: number } = {},
): Promise<ParityResult> {
  const shape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const rand = seededRandom(opts.seed ?? 42);
  const x = uniform(rand, shape.reduce((a, b) => a * b, 1), -1, 1);
  const bytes = convertModel(model, opts);
  const session = await createSession(bytes);
  let onnx;
  try {
    onnx = await runSession(session, x, shape);
  } finally {
    await session.release();
  }
  const ref = tf.tidy(() => {
    const probe = opts.outputLayer
      ? tf.model({ inputs: model.inputs, outputs: model.getLayer(opts.outputLayer).output as tf.SymbolicTensor })
      : model;
    const y = probe.predict(tf.tensor(x, shape)) as tf.Tensor | tf.Tensor[];
    return Array.isArray(y) ? y[0] : y;
  });
  const expected = (await ref.data()) as Float32Array;
  const refShape = ref.shape;
  ref.dispose();
  if (expected.length !== onnx.data.length || refShape.join() !== onnx.shape.join()) {
    throw new Error(`Output shapes differ: TF.js ${JSON.stringify(refShape)}, ONNX ${JSON.stringify(onnx.shape)}`);
  }
  let maxAbsDiff = 0;
  let maxAbsRef = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(expected[i] - onnx.data[i]);
    maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
    maxAbsRef = Math.max(maxAbsRef, Math.abs(expected[i]));
  }
  return { maxAbsDiff, maxAbsRef, outputShape: onnx.shape, onnxBytes: bytes.byteLength };
}
